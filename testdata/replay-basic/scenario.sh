# The activity of testdata/replay-basic (run by ../record.sh, which records
# it), all on 127.0.0.1; the ports are fixed so that the README and the
# golden outputs can name them:
#   1. an HTTP server (python3 -m http.server 18080) and a client (curl)
#      fetching /hello.txt;
#   2. a TCP connection refused (nothing listens on 18081);
#   3. a UDP exchange: a datagram to 18053 and its echo back;
#   4. a process tree with known argv: sh -c 'sh -c "exit 3"; true'
#      zagent-testdata-tree (a shell whose child exits with 3);
#   5. a file written in the watched directory ($WATCH/notes.txt).
set -eu
py=/usr/bin/python3
mkdir www
echo "hello from the replay testdata" > www/hello.txt

# 1. HTTP
(cd www && exec "$py" -m http.server 18080 --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
curl -s -o /dev/null http://127.0.0.1:18080/hello.txt
sleep 0.5
# 2. refused
"$py" -c 'import socket
s = socket.socket()
try:
    s.connect(("127.0.0.1", 18081))
except ConnectionRefusedError:
    pass'
sleep 0.5
# 3. UDP exchange: an echo server answers one datagram.
"$py" -c 'import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(("127.0.0.1", 18053))
cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
cli.sendto(b"ping", ("127.0.0.1", 18053))
data, peer = srv.recvfrom(100); srv.sendto(data, peer); cli.recvfrom(100)'
sleep 0.5
# 4. a process tree
sh -c 'sh -c "exit 3"; true' zagent-testdata-tree
sleep 0.5
# 5. a file in the watched directory
echo "written while recording" > "$WATCH/notes.txt"
