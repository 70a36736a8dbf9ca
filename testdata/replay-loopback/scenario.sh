# The activity of testdata/replay-loopback (run by ../record.sh, which
# records it): every kind of connection a host makes on loopback, over
# IPv4 and IPv6, with clients that live a few milliseconds. The ports are
# fixed so that tests/zeek/replay-loopback.sh can name them:
#
#   18080 127.0.0.1  HTTP server (python3 -m http.server); curl and a bash
#                    /dev/tcp client fetch /hello.txt
#   18090 ::1        the same over IPv6
#   18081 127.0.0.1  refused: nothing listens (python3 client)
#   18091 ::1        refused over IPv6 (bash /dev/tcp client)
#   18053 127.0.0.1  UDP echo: one datagram and its echo (python3)
#   18063 ::1        UDP echo over IPv6 (python3)
#   18054 127.0.0.1  UDP to nobody: the kernel answers ICMP port unreachable
#                    (bash /dev/udp client)
#
# then short-lived processes (ten /bin/true, a shell whose child exits with
# 3) and a file written in the watched directory.
set -eu
py=/usr/bin/python3
mkdir www
echo "hello from the loopback testdata" > www/hello.txt
(cd www && exec "$py" -m http.server 18080 --bind 127.0.0.1 >/dev/null 2>&1) &
v4=$!
(cd www && exec "$py" -m http.server 18090 --bind ::1 >/dev/null 2>&1) &
v6=$!
trap 'kill $v4 $v6 2>/dev/null || true' EXIT
sleep 1.5

curl -s -o /dev/null http://127.0.0.1:18080/hello.txt
curl -s -o /dev/null 'http://[::1]:18090/hello.txt'
sleep 0.3
# bash connects itself and exits as soon as the answer is read: gone long
# before anything could look at /proc.
bash -c 'exec 3<>/dev/tcp/127.0.0.1/18080; printf "GET /hello.txt HTTP/1.0\r\n\r\n" >&3; cat <&3 >/dev/null'
bash -c 'exec 3<>/dev/tcp/::1/18090; printf "GET /hello.txt HTTP/1.0\r\n\r\n" >&3; cat <&3 >/dev/null'
sleep 0.3

"$py" -c 'import socket
s = socket.socket()
try:
    s.connect(("127.0.0.1", 18081))
except ConnectionRefusedError:
    pass'
bash -c 'exec 3<>/dev/tcp/::1/18091' 2>/dev/null || true
sleep 0.3

for family in 4 6; do
  "$py" - "$family" <<'PY'
import socket, sys
fam, host, port = (socket.AF_INET, "127.0.0.1", 18053) if sys.argv[1] == "4" else (socket.AF_INET6, "::1", 18063)
srv = socket.socket(fam, socket.SOCK_DGRAM); srv.bind((host, port))
cli = socket.socket(fam, socket.SOCK_DGRAM)
cli.sendto(b"ping", (host, port))
data, peer = srv.recvfrom(100); srv.sendto(data, peer); cli.recvfrom(100)
PY
done
bash -c 'echo ping > /dev/udp/127.0.0.1/18054'
sleep 0.3

for _ in 1 2 3 4 5 6 7 8 9 10; do /bin/true; done
sh -c 'sh -c "exit 3"; true' zagent-testdata-tree
echo "written while recording" > "$WATCH/notes.txt"
sleep 0.5
