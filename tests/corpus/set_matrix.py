"""Writes a display matrix (a b / c d, as numbers) into the first track header of an mp4.
usage: set_matrix.py IN.mp4 OUT.mp4 A B C D   (ffmpeg 5.1 cannot set a mirror or a 45° turn)"""
import sys, struct
src, dst, a, b, c, d = sys.argv[1], sys.argv[2], *[float(x) for x in sys.argv[3:7]]
data = bytearray(open(src, 'rb').read())
i = data.find(b'tkhd')
assert i > 0
body = i + 4
off = body + (4 + 8 + 8 + 4 + 4 + 8 + 16 if data[body] == 1 else 4 + 4 + 4 + 4 + 4 + 4 + 16)
fx = lambda v: struct.pack('>i', int(round(v * 65536)))
data[off:off + 4] = fx(a); data[off + 4:off + 8] = fx(b)
data[off + 12:off + 16] = fx(c); data[off + 16:off + 20] = fx(d)
open(dst, 'wb').write(data)
