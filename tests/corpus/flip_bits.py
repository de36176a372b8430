"""Flips N random bits (seeded) in the media data of an mp4: a damaged clip that still opens.
usage: flip_bits.py IN.mp4 OUT.mp4 SEED N"""
import sys, random
src, dst, seed, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = bytearray(open(src, 'rb').read())
i = d.find(b'mdat'); size = int.from_bytes(d[i-4:i], 'big')
start, end = i + 4 + 64, i - 4 + size
r = random.Random(seed)
for _ in range(n):
    p = r.randrange(start, end); d[p] ^= 1 << r.randrange(8)
open(dst, 'wb').write(d)
