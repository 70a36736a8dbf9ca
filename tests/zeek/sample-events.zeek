##! Replay-style sample events: every host event type, decoded with
##! from_json from the Replay JSON form of docs/zeek.md and raised as the
##! package's events, for a person with Zeek to look at the logs.
##!
##! From the repository root:
##!
##!   zeek -b zeek/__load__.zeek tests/zeek/sample-events.zeek
##!       raises every line at once (no packets) and writes the
##!       zagent-*.log files;
##!
##!   zeek -C -r testdata/replay-basic/trace.pcap zeek/__load__.zeek tests/zeek/sample-events.zeek
##!       raises each line at its recorded time next to the capture of the
##!       same seconds, so conn.log also shows curl and python3 at the ends
##!       of the HTTP connection and python3 at both ends of the UDP one.
##!
##! tests/zeek/check-package.sh runs both and checks the results.
##!
##! The lines with host "vm" are events of testdata/replay-basic/journal.zst
##! (its README tells what happened), turned into the Replay JSON form by
##! hand: ts in seconds, ports with their protocol, counters as a list,
##! boot_id from the segment header. The lines with host "sample-host" are
##! made up to show the rest: logins, file chmod and rename, a clock jump
##! and lost events (a counter past 2^63, a repeated counter name), a socket
##! with an action and protocol this package does not know, an exit by
##! signal, and strings with invalid UTF-8 (raw bytes, written \xNN in the
##! Zeek string), a NUL (JSON \u0000), a tab and quotes.
##!
##! This is a small replay driver, not zagent-replay's: it only shows the
##! order a driver must keep (docs/zeek.md, "conn.log").

module ZAgentSample;

export {
	## One event: its type, as ``zagent cat`` names it, and its JSON.
	type Line: record {
		kind: string;
		json: string;
	};
}

# Just the time of a line: from_json ignores the other members.
type Stamp: record {
	ts: time;
};

global lines: vector of Line = vector(
	Line($kind="sensor",
	     $json="{\"seq\":1,\"ts\":1796001939.125015881,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"agent_start\",\"sensor\":\"agent\",\"message\":\"zagent 0.1.0 pid 27522\",\"counters\":[]}"),
	Line($kind="sensor",
	     $json="{\"seq\":2,\"ts\":1796001939.436290548,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"sensor_attached\",\"sensor\":\"process\",\"message\":\"eBPF tp_btf/sched_process_exec, sched_process_fork, sched_process_exit\",\"counters\":[]}"),
	Line($kind="sensor",
	     $json="{\"seq\":3,\"ts\":1796001939.436295828,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"sensor_attached\",\"sensor\":\"socket\",\"message\":\"eBPF tp_btf/inet_sock_set_state, tp_btf/sys_exit (accept, connect, sendto, sendmsg, sendmmsg)\",\"counters\":[]}"),
	Line($kind="sensor",
	     $json="{\"seq\":4,\"ts\":1796001939.436298904,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"sensor_attached\",\"sensor\":\"file\",\"message\":\"eBPF tp_btf/sys_exit (open, creat, unlink, rmdir, rename, chmod families); watching /tmp/zagent-testdata.2lb3VC/watch\",\"counters\":[]}"),
	Line($kind="sensor",
	     $json="{\"seq\":5,\"ts\":1796001939.436300167,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"sensor_attached\",\"sensor\":\"login\",\"message\":\"utmp /var/run/utmp at start, then wtmp /var/log/wtmp (utmp when there is no wtmp), read every second\",\"counters\":[]}"),
	Line($kind="process_snapshot",
	     $json="{\"seq\":6,\"ts\":1796001939.436340584,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":1,\"ppid\":0,\"start_boot_ns\":200000000,\"parent_start_boot_ns\":0,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"\",\"argv\":[\"/process_api\",\"--firecracker-init\",\"--addr\",\"0.0.0.0:2024\",\"--max-ws-buffer-size\",\"32768\",\"--block-local-connections\",\"--log-vsock-port\",\"5002\",\"--control-vsock-port\",\"5001\",\"--listen-vsock-port\",\"2024\",\"--tcp-readiness-only\",\"--auth-required\"],\"argv_truncated\":false,\"cwd\":\"\",\"comm\":\"process_api\",\"tty\":\"\",\"cgroup_id\":0,\"container_id\":\"\",\"exe_sha256\":\"\",\"exe_hash_status\":\"not_computed\"}"),
	Line($kind="process_snapshot",
	     $json="{\"seq\":71,\"ts\":1796001939.436340584,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27513,\"ppid\":27391,\"start_boot_ns\":30761550000000,\"parent_start_boot_ns\":30755680000000,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/dash\",\"argv\":[\"sh\",\"testdata/replay-basic/make.sh\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"sh\",\"tty\":\"\",\"cgroup_id\":0,\"container_id\":\"\",\"exe_sha256\":\"f5adb8bf0100ed0f8c7782ca5f92814e9229525a4b4e0d401cf3bea09ac960a6\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="socket",
	     $json="{\"seq\":76,\"ts\":1796001939.436340584,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"existing\",\"protocol\":\"tcp\",\"pid\":0,\"start_boot_ns\":0,\"uid\":0,\"comm\":\"\",\"exe\":\"\",\"local_addr\":\"0.0.0.0\",\"local_port\":\"2024/tcp\",\"remote_addr\":\"0.0.0.0\",\"remote_port\":\"0/tcp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="process_fork",
	     $json="{\"seq\":96,\"ts\":1796001940.561741451,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27534,\"ppid\":27513,\"start_boot_ns\":30763073661860,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_fork",
	     $json="{\"seq\":97,\"ts\":1796001940.562108049,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27535,\"ppid\":27513,\"start_boot_ns\":30763074032405,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":98,\"ts\":1796001940.564588930,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27535,\"ppid\":27513,\"start_boot_ns\":30763074032405,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/sleep\",\"argv\":[\"sleep\",\"1\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"sleep\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"4add4bb89d8ca0e3b1bd861130ddd7ae0fd9617a8055de0a38c8d2ca1ac95723\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":99,\"ts\":1796001940.568261043,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27534,\"ppid\":27513,\"start_boot_ns\":30763073661860,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/python3.11\",\"argv\":[\"/usr/bin/python3\",\"-m\",\"http.server\",\"18080\",\"--bind\",\"127.0.0.1\"],\"argv_truncated\":false,\"cwd\":\"/tmp/zagent-testdata.2lb3VC/www\",\"comm\":\"python3\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"a83c0370d91532c96d4060a0e7c107d1f2889dad8a98e03395e86ef0373fd467\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="socket",
	     $json="{\"seq\":100,\"ts\":1796001940.729238955,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"listen\",\"protocol\":\"tcp\",\"pid\":27534,\"start_boot_ns\":30763073661860,\"uid\":0,\"comm\":\"python3\",\"exe\":\"/usr/bin/python3.11\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"18080/tcp\",\"remote_addr\":\"0.0.0.0\",\"remote_port\":\"0/tcp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="process_exit",
	     $json="{\"seq\":101,\"ts\":1796001941.568460797,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27535,\"start_boot_ns\":30763074032405,\"exit_code\":0,\"signal\":0,\"duration_ns\":1006369413,\"comm\":\"sleep\"}"),
	Line($kind="process_fork",
	     $json="{\"seq\":102,\"ts\":1796001941.569455661,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27536,\"ppid\":27513,\"start_boot_ns\":30764081376594,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":103,\"ts\":1796001941.571164487,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27536,\"ppid\":27513,\"start_boot_ns\":30764081376594,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/curl\",\"argv\":[\"curl\",\"-s\",\"-o\",\"/dev/null\",\"http://127.0.0.1:18080/hello.txt\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"curl\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"58824afa640f512e07e895c0f2d1e1fe2c3fd1456acab689b6e4c1c75cef2593\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="socket",
	     $json="{\"seq\":107,\"ts\":1796001941.591233325,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"connect\",\"protocol\":\"tcp\",\"pid\":27536,\"start_boot_ns\":30764081376594,\"uid\":0,\"comm\":\"curl\",\"exe\":\"/usr/bin/curl\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"49838/tcp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"18080/tcp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="socket",
	     $json="{\"seq\":108,\"ts\":1796001941.591719380,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"accept\",\"protocol\":\"tcp\",\"pid\":27534,\"start_boot_ns\":30763073661860,\"uid\":0,\"comm\":\"python3\",\"exe\":\"/usr/bin/python3.11\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"18080/tcp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"49838/tcp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="socket",
	     $json="{\"seq\":109,\"ts\":1796001941.598215905,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"close\",\"protocol\":\"tcp\",\"pid\":27534,\"start_boot_ns\":30763073661860,\"uid\":0,\"comm\":\"python3\",\"exe\":\"/usr/bin/python3.11\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"18080/tcp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"49838/tcp\",\"bytes_sent\":217,\"bytes_received\":88}"),
	Line($kind="socket",
	     $json="{\"seq\":110,\"ts\":1796001941.598233478,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"close\",\"protocol\":\"tcp\",\"pid\":27536,\"start_boot_ns\":30764081376594,\"uid\":0,\"comm\":\"curl\",\"exe\":\"/usr/bin/curl\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"49838/tcp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"18080/tcp\",\"bytes_sent\":88,\"bytes_received\":217}"),
	Line($kind="process_exit",
	     $json="{\"seq\":104,\"ts\":1796001941.599428707,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27536,\"start_boot_ns\":30764081376594,\"exit_code\":0,\"signal\":0,\"duration_ns\":29993134,\"comm\":\"curl\"}"),
	Line($kind="login",
	     $json="{\"seq\":1,\"ts\":1796001942.000000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"start\",\"user\":\"alice\",\"tty\":\"pts/1\",\"remote_host\":\"10.1.4.20\",\"remote_addr\":\"10.1.4.20\",\"pid\":3022,\"session_id\":6}"),
	Line($kind="process_fork",
	     $json="{\"seq\":112,\"ts\":1796001942.105312183,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27539,\"ppid\":27513,\"start_boot_ns\":30764617227976,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":113,\"ts\":1796001942.105776026,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27539,\"ppid\":27513,\"start_boot_ns\":30764617227976,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/python3.11\",\"argv\":[\"/usr/bin/python3\",\"-c\",\"import socket\\u000as = socket.socket()\\u000atry:\\u000a    s.connect((\\\"127.0.0.1\\\", 18081))\\u000aexcept ConnectionRefusedError:\\u000a    pass\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"python3\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"a83c0370d91532c96d4060a0e7c107d1f2889dad8a98e03395e86ef0373fd467\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="socket",
	     $json="{\"seq\":117,\"ts\":1796001942.139678850,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"close\",\"protocol\":\"tcp\",\"pid\":27539,\"start_boot_ns\":30764617227976,\"uid\":0,\"comm\":\"python3\",\"exe\":\"/usr/bin/python3.11\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"41000/tcp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"18081/tcp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="process_exit",
	     $json="{\"seq\":114,\"ts\":1796001942.142649296,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27539,\"start_boot_ns\":30764617227976,\"exit_code\":0,\"signal\":0,\"duration_ns\":37362341,\"comm\":\"python3\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":2,\"ts\":1796001942.200000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"pid\":4242,\"ppid\":4100,\"start_boot_ns\":5,\"parent_start_boot_ns\":4,\"uid\":1000,\"gid\":1000,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":3,\"exe\":\"/tmp/caf\xc3\xa9\",\"argv\":[\"./x\",\"a\xffb\",\"tab\\there\",\"q\\\"uote\\\\\",\"nul\\u0000x\"],\"argv_truncated\":true,\"cwd\":\"/tmp\",\"comm\":\"caf\xc3\",\"tty\":\"pts/2\",\"cgroup_id\":18446744073709551615,\"container_id\":\"3f2a9c\",\"exe_sha256\":\"\",\"exe_hash_status\":\"too_large\"}"),
	Line($kind="socket",
	     $json="{\"seq\":3,\"ts\":1796001942.300000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"unknown\",\"protocol\":\"unknown\",\"pid\":4242,\"start_boot_ns\":5,\"uid\":1000,\"comm\":\"x\",\"exe\":\"/tmp/x\",\"local_addr\":\"2001:db8::10\",\"local_port\":\"0/unknown\",\"remote_addr\":\"2001:db8::1\",\"remote_port\":\"0/unknown\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="sensor",
	     $json="{\"seq\":4,\"ts\":1796001942.400000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"clock_jump\",\"sensor\":\"clock\",\"message\":\"wall clock stepped back 2 s\",\"counters\":[{\"name\":\"jump_ns\",\"value\":18446744071709551616}]}"),
	Line($kind="sensor",
	     $json="{\"seq\":5,\"ts\":1796001942.500000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"events_lost\",\"sensor\":\"exec\",\"message\":\"ring buffer full\",\"counters\":[{\"name\":\"process_exec\",\"value\":3},{\"name\":\"process_exec\",\"value\":1}]}"),
	Line($kind="file",
	     $json="{\"seq\":6,\"ts\":1796001942.600000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"chmod\",\"pid\":4242,\"start_boot_ns\":5,\"uid\":1000,\"comm\":\"x\",\"exe\":\"/tmp/x\",\"path\":\"/srv/www/run.sh\",\"new_path\":\"\",\"mode\":493}"),
	Line($kind="process_fork",
	     $json="{\"seq\":119,\"ts\":1796001942.649092072,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27541,\"ppid\":27513,\"start_boot_ns\":30765161016874,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":120,\"ts\":1796001942.649572306,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27541,\"ppid\":27513,\"start_boot_ns\":30765161016874,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/python3.11\",\"argv\":[\"/usr/bin/python3\",\"-c\",\"import socket\\u000asrv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind((\\\"127.0.0.1\\\", 18053))\\u000acli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\\u000acli.sendto(b\\\"ping\\\", (\\\"127.0.0.1\\\", 18053))\\u000adata, peer = srv.recvfrom(100); srv.sendto(data, peer); cli.recvfrom(100)\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"python3\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"a83c0370d91532c96d4060a0e7c107d1f2889dad8a98e03395e86ef0373fd467\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="socket",
	     $json="{\"seq\":124,\"ts\":1796001942.682209712,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"send\",\"protocol\":\"udp\",\"pid\":27541,\"start_boot_ns\":30765161016874,\"uid\":0,\"comm\":\"python3\",\"exe\":\"/usr/bin/python3.11\",\"local_addr\":\"0.0.0.0\",\"local_port\":\"33419/udp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"18053/udp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="socket",
	     $json="{\"seq\":125,\"ts\":1796001942.682258314,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"send\",\"protocol\":\"udp\",\"pid\":27541,\"start_boot_ns\":30765161016874,\"uid\":0,\"comm\":\"python3\",\"exe\":\"/usr/bin/python3.11\",\"local_addr\":\"127.0.0.1\",\"local_port\":\"18053/udp\",\"remote_addr\":\"127.0.0.1\",\"remote_port\":\"33419/udp\",\"bytes_sent\":0,\"bytes_received\":0}"),
	Line($kind="process_exit",
	     $json="{\"seq\":121,\"ts\":1796001942.684934900,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27541,\"start_boot_ns\":30765161016874,\"exit_code\":0,\"signal\":0,\"duration_ns\":35859048,\"comm\":\"python3\"}"),
	Line($kind="file",
	     $json="{\"seq\":7,\"ts\":1796001942.700000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"rename\",\"pid\":4242,\"start_boot_ns\":5,\"uid\":1000,\"comm\":\"x\",\"exe\":\"/tmp/x\",\"path\":\"/srv/www/a.tmp\",\"new_path\":\"/srv/www/a\",\"mode\":0}"),
	Line($kind="process_exit",
	     $json="{\"seq\":8,\"ts\":1796001942.800000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"pid\":4242,\"start_boot_ns\":5,\"exit_code\":0,\"signal\":9,\"duration_ns\":-1,\"comm\":\"x\"}"),
	Line($kind="process_fork",
	     $json="{\"seq\":127,\"ts\":1796001943.190640571,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27543,\"ppid\":27513,\"start_boot_ns\":30765702564710,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":128,\"ts\":1796001943.191160330,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27543,\"ppid\":27513,\"start_boot_ns\":30765702564710,\"parent_start_boot_ns\":30761555287003,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/dash\",\"argv\":[\"sh\",\"-c\",\"sh -c \\\"exit 3\\\"; true\",\"zagent-testdata-tree\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"sh\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"f5adb8bf0100ed0f8c7782ca5f92814e9229525a4b4e0d401cf3bea09ac960a6\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="process_fork",
	     $json="{\"seq\":129,\"ts\":1796001943.193335711,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27544,\"ppid\":27543,\"start_boot_ns\":30765705260974,\"parent_start_boot_ns\":30765702564710,\"uid\":0,\"comm\":\"sh\"}"),
	Line($kind="process_exec",
	     $json="{\"seq\":130,\"ts\":1796001943.194251081,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27544,\"ppid\":27543,\"start_boot_ns\":30765705260974,\"parent_start_boot_ns\":30765702564710,\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"login_uid\":4294967295,\"session_id\":4294967295,\"exe\":\"/usr/bin/dash\",\"argv\":[\"sh\",\"-c\",\"exit 3\"],\"argv_truncated\":false,\"cwd\":\"/work/main\",\"comm\":\"sh\",\"tty\":\"\",\"cgroup_id\":1,\"container_id\":\"\",\"exe_sha256\":\"f5adb8bf0100ed0f8c7782ca5f92814e9229525a4b4e0d401cf3bea09ac960a6\",\"exe_hash_status\":\"ok\"}"),
	Line($kind="process_exit",
	     $json="{\"seq\":131,\"ts\":1796001943.196437304,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27544,\"start_boot_ns\":30765705260974,\"exit_code\":3,\"signal\":0,\"duration_ns\":3117352,\"comm\":\"sh\"}"),
	Line($kind="process_exit",
	     $json="{\"seq\":132,\"ts\":1796001943.196743349,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"pid\":27543,\"start_boot_ns\":30765702564710,\"exit_code\":0,\"signal\":0,\"duration_ns\":6119661,\"comm\":\"sh\"}"),
	Line($kind="file",
	     $json="{\"seq\":138,\"ts\":1796001943.702227098,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"create\",\"pid\":27513,\"start_boot_ns\":30761555287003,\"uid\":0,\"comm\":\"sh\",\"exe\":\"/usr/bin/dash\",\"path\":\"/tmp/zagent-testdata.2lb3VC/watch/notes.txt\",\"new_path\":\"\",\"mode\":420}"),
	Line($kind="login",
	     $json="{\"seq\":9,\"ts\":1796001944.500000000,\"host\":\"sample-host\",\"boot_id\":\"00000000-0000-4000-8000-000000000001\",\"action\":\"end\",\"user\":\"alice\",\"tty\":\"pts/1\",\"remote_host\":\"\",\"remote_addr\":\"::\",\"pid\":3022,\"session_id\":6}"),
	Line($kind="sensor",
	     $json="{\"seq\":141,\"ts\":1796001945.207745156,\"host\":\"vm\",\"boot_id\":\"6276db61-6d99-48e6-b8b4-668ec960a3b6\",\"action\":\"agent_stop\",\"sensor\":\"agent\",\"message\":\"stopped\",\"counters\":[]}")
);

# Lines already raised, by index.
global raised: set[count];

global due: event(i: count);

# Decodes a line and raises its event now, as the package's decoding
# does it for replay and the live stream. F when the JSON does not decode
# into the type's record.
function raise_line(l: Line): bool
	{
	return ZAgent::raise_json(l$kind, l$json);
	}

function raise_index(i: count)
	{
	if ( i in raised )
		return;

	add raised[i];

	if ( ! raise_line(lines[i]) )
		Reporter::error(fmt("sample line %d (%s) does not decode: %s",
		                    i, lines[i]$kind, lines[i]$json));
	}

event zeek_init()
	{
	# With a trace, lines wait for their time (network_time_init below).
	if ( reading_traces() )
		return;

	for ( i in lines )
		raise_index(i);
	}

# Each line is due at its recorded time. Zeek checks timers when a packet
# arrives: a line fires at the first packet after its time, and lines
# older than the trace right after the first packet.
event network_time_init()
	{
	for ( i in lines )
		{
		local stamp = from_json(lines[i]$json, Stamp);

		if ( stamp$valid )
			schedule ((stamp$v as Stamp)$ts - network_time()) { ZAgentSample::due(i) };
		else
			raise_index(i);   # reports the line
		}
	}

event ZAgentSample::due(i: count)
	{
	raise_index(i);
	}

# After the last packet Zeek terminates: it fires the pending timers,
# ignores new ones, and then removes the connections still open. Lines not
# yet due are raised here, before that, so that conn.log still sees them.
event net_done(t: time)
	{
	for ( i in lines )
		raise_index(i);
	}
