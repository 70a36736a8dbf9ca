#!/usr/bin/python3
"""A small pcap whose packets span a time range, for bench/replay-zeek.

    span-pcap.py OUT FIRST_NS LAST_NS [STEP_SECONDS]

One UDP datagram every STEP_SECONDS (default 1) from FIRST_NS to LAST_NS
(ns since the epoch), each from a new source port, so that Zeek's network
time walks the whole journal the way a capture of the same hours would:
replayed events are raised as it passes their times, and state the
package keeps by network time (socket linger, expiry) ends on time.
"""
import struct
import sys


def checksum(header: bytes) -> int:
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def datagram(sport: int) -> bytes:
    payload = b"zagent-bench-span"
    udp = struct.pack("!HHHH", sport, 7777, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     bytes([10, 1, 0, 2]), bytes([10, 1, 0, 1]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    ether = bytes.fromhex("020000000001" "020000000002" "0800")
    return ether + ip + udp


def main() -> int:
    if len(sys.argv) not in (4, 5):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    step = int(float(sys.argv[4]) * 1e9) if len(sys.argv) == 5 else 1_000_000_000
    if step <= 0 or last < first:
        print("span-pcap.py: need FIRST_NS <= LAST_NS and STEP_SECONDS > 0", file=sys.stderr)
        return 2
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t, n = first, 0
        # One packet past the last event, so that none waits for net_done.
        while t <= last + step:
            frame = datagram(1024 + n % 60000)
            f.write(struct.pack("<IIII", t // 1_000_000_000, t % 1_000_000_000 // 1000,
                                len(frame), len(frame)) + frame)
            t += step
            n += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
