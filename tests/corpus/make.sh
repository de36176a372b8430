#!/usr/bin/env bash
# Makes the bad-input and unusual-input corpus from the sample clips (nothing large is committed).
# usage: tests/corpus/make.sh OUT_DIR     (needs ffmpeg and python3; skips files that exist)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:?output folder}"
mkdir -p "$out"
cd "$out"
S="$here/samples"
ff() { ffmpeg -loglevel error -y "$@"; }
mk() { [ -s "$1" ] || { shift; "$@"; }; }

# --- must be refused -----------------------------------------------------------------------
mk text.mp4 sh -c 'echo "this is a text file, not a video" > text.mp4'
: > empty.mp4
mk photo.mov sh -c "ffmpeg -loglevel error -y -ss 4 -i '$S/dev02_post_left.mp4' -frames:v 1 -f image2 -c:v mjpeg photo.mov"
mk truncated.mp4 python3 -c "d=open('$S/dev02_post_left.mp4','rb').read(); open('truncated.mp4','wb').write(d[:len(d)*2//5])"
# the moov box (the index of the media) cut out entirely
mk no_moov.mp4 python3 -c "
d=open('$S/dev02_post_left.mp4','rb').read(); i=d.find(b'moov')-4; n=int.from_bytes(d[i:i+4],'big')
open('no_moov.mp4','wb').write(d[:i]+d[i+n:])"
mk damaged_moov.mp4 python3 -c "
d=bytearray(open('$S/dev02_post_left.mp4','rb').read()); i=d.find(b'moov')
d[i+8:i+1208]=bytes(1200); open('damaged_moov.mp4','wb').write(d)"
mk audio_only.mp4 ff -f lavfi -i sine=frequency=440:duration=3 -c:a aac audio_only.mp4
mk one_frame.mp4 ff -ss 4 -i "$S/dev02_post_left.mp4" -frames:v 1 -c:v libx264 one_frame.mp4
mk half_second.mp4 ff -ss 4 -i "$S/dev02_post_left.mp4" -t 0.5 -c:v libx264 half_second.mp4
mk black.mp4 ff -f lavfi -i color=black:s=1280x720:r=30:d=4 -c:v libx264 -pix_fmt yuv420p black.mp4
mk white.mp4 ff -f lavfi -i color=white:s=1280x720:r=30:d=4 -c:v libx264 -pix_fmt yuv420p white.mp4
# the wall above the table, enlarged: a room with nobody in it
mk empty_room.mp4 ff -i "$S/dev04_roll6.mp4" -t 4 -vf "crop=420:236:860:0,scale=1280:720" -c:v libx264 -pix_fmt yuv420p empty_room.mp4
# A stand-in for a clip filmed from the foot end of the table instead of the side: the side view
# squeezed to a fifth of its width, so that the body's long axis is foreshortened as it is when
# the camera looks along the table (the lateral spread of a true front view is missing).
mk front_view_standin.mp4 ff -i "$S/dev02_post_left.mp4" -vf "scale=trunc(iw*0.2/2)*2:ih,pad=1280:720:(ow-iw)/2:0:color=gray" -c:v libx264 -pix_fmt yuv420p front_view_standin.mp4

# a rotation tag that is not a quarter turn
mk rotate45_tag.mp4 python3 "$here/tests/corpus/set_matrix.py" "$S/dev04_roll6.mp4" rotate45_tag.mp4 0.7071 0.7071 -0.7071 0.7071

# --- made to exhaust memory (issue 18, item 5) -----------------------------------------------
# frames of 5000 x 5000 pixels (25 Mpx, over the 4096 x 2304 limit), in mp4 and in mkv
mk huge_frames.mp4 ff -f lavfi -i color=gray:s=5000x5000:r=2:d=1 -c:v libx264 -preset ultrafast -pix_fmt yuv420p huge_frames.mp4
mk huge_frames.mkv ff -i huge_frames.mp4 -c copy huge_frames.mkv
# a sparse file of 16 moov boxes claiming 256 MB each (64 KB on disk)
mk sparse_moov.mp4 python3 -c "
f=open('sparse_moov.mp4','wb'); f.write((16).to_bytes(4,'big')+b'ftypisom'+bytes(4)); n=256*2**20
for i in range(16): f.seek(16+i*n); f.write(n.to_bytes(4,'big')+b'moov')
f.seek(16+16*n-1); f.write(b'\\0')"

# --- upside down, mirrored: measured the right way up, or refused (issue 18, item 2) ---------
mk rot180_pixels.mp4 ff -i "$S/dev04_roll6.mp4" -vf hflip,vflip -c:v libx264 -preset veryfast -pix_fmt yuv420p rot180_pixels.mp4
mk vflip_pixels.mp4 ff -i "$S/dev04_roll6.mp4" -vf vflip -c:v libx264 -preset veryfast -pix_fmt yuv420p vflip_pixels.mp4
mk hflip_pixels.mp4 ff -i "$S/dev04_roll6.mp4" -vf hflip -c:v libx264 -preset veryfast -pix_fmt yuv420p hflip_pixels.mp4
mk dev01_rot180_pixels.mp4 ff -i "$S/dev01_pre_left.mp4" -vf hflip,vflip -c:v libx264 -preset veryfast -pix_fmt yuv420p dev01_rot180_pixels.mp4
mk hflip_tag.mp4 python3 "$here/tests/corpus/set_matrix.py" "$S/dev04_roll6.mp4" hflip_tag.mp4 -1 0 0 1
mk vflip_tag.mp4 python3 "$here/tests/corpus/set_matrix.py" "$S/dev04_roll6.mp4" vflip_tag.mp4 1 0 0 -1

# --- damaged: a few flipped bits in the media data (issue 18, item 3) ------------------------
mk damaged_bits_a.mp4 python3 "$here/tests/corpus/flip_bits.py" "$S/dev04_roll6.mp4" damaged_bits_a.mp4 2 5
mk damaged_bits_b.mp4 python3 "$here/tests/corpus/flip_bits.py" "$S/dev01_pre_left.mp4" damaged_bits_b.mp4 1 5

# --- unusual but valid: must work and give the right result ---------------------------------
# the held part of dev02 (the leg is still from the first frame)
mk hold_only.mp4 ff -ss 3.5 -i "$S/dev02_post_left.mp4" -c:v libx264 -pix_fmt yuv420p hold_only.mp4
mk hevc_4k.mp4 ff -ss 3.5 -i "$S/dev02_post_left.mp4" -vf scale=3840:2160 -c:v libx265 -preset ultrafast -x265-params log-level=error -pix_fmt yuv420p -tag:v hvc1 hevc_4k.mp4
mk fps60.mp4 ff -i "$S/dev02_post_left.mp4" -vf fps=60 -c:v libx264 -pix_fmt yuv420p fps60.mp4
# variable frame rate: every third frame dropped in the second half, real timestamps kept
mk vfr.mp4 ff -i "$S/dev02_post_left.mp4" -vf "select='lt(n\,100)+not(eq(mod(n\,3)\,0))'" -fps_mode vfr -c:v libx264 -pix_fmt yuv420p vfr.mp4
# dev01 six times back to back (42 s): Ctrl-C sent 1.5 s into its assessment lands mid-run
# however fast the machine (one dev01 takes about 1.2-4 s)
mk dev01_six_times.mp4 ff -stream_loop 5 -i "$S/dev01_pre_left.mp4" -c copy dev01_six_times.mp4
mkdir -p "dir with spaces"
mk "dir with spaces/clip é ü 名前.mp4" cp "$S/dev02_post_left.mp4" "dir with spaces/clip é ü 名前.mp4"
mk movie.mkv ff -i "$S/dev02_post_left.mp4" -c copy movie.mkv
# an mkv whose header claims 10 hours although it holds 7 s, every frame whole (issue 18, item 9)
mk claims_10h.mkv python3 -c "
import struct, subprocess
subprocess.run(['ffmpeg','-loglevel','error','-y','-i','$S/dev02_post_left.mp4','-c','copy','claims_10h.tmp.mkv'], check=True)
d=bytearray(open('claims_10h.tmp.mkv','rb').read()); i=d.find(bytes([0x44,0x89])); assert d[i+2]==0x88
d[i+3:i+11]=struct.pack('>d', 36e6); open('claims_10h.mkv','wb').write(d)"
rm -f claims_10h.tmp.mkv
echo "corpus ready in $out"
