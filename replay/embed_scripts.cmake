# Writes OUT: the zagent Zeek package (the scripts zeek/__load__.zeek loads,
# in its order, without their `@load ./x` lines: they are all in the same
# script now) and the replay drivers (of the script and of the stream), as
# C++ string constants. Run at build
# time, so zeek/ stays the one source.
file(STRINGS "${ZEEK_DIR}/__load__.zeek" loads REGEX "^@load \\./")
set(package "# ---- the zagent Zeek package (zeek/), embedded by zagent-replay\n")
foreach(line ${loads})
  string(REGEX REPLACE "^@load \\./([A-Za-z0-9_]+).*$" "\\1" name "${line}")
  file(READ "${ZEEK_DIR}/${name}.zeek" text)
  string(REGEX REPLACE "(^|\n)@load \\./[^\n]*" "\\1" text "${text}")
  string(APPEND package "\n# ---- zeek/${name}.zeek\n${text}")
endforeach()
file(READ "${DRIVER}" driver)
file(READ "${STREAM_DRIVER}" stream_driver)
set(delim "zagent_embedded")
string(FIND "${package}${driver}${stream_driver}" ")${delim}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "a script contains the raw string delimiter )${delim}\"")
endif()
file(WRITE "${OUT}.tmp"
  "// Generated at build time from zeek/ and replay/driver.zeek: do not edit.\n"
  "#include \"replay/zeek_script.h\"\n"
  "namespace zagent::replay {\n"
  "const char* const kZeekPackage = R\"${delim}(${package})${delim}\";\n"
  "const char* const kReplayDriver = R\"${delim}(# ---- replay/driver.zeek\n${driver})${delim}\";\n"
  "const char* const kStreamDriver = R\"${delim}(# ---- replay/stream_driver.zeek\n${stream_driver})${delim}\";\n"
  "}  // namespace zagent::replay\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
