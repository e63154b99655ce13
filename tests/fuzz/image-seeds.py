#!/usr/bin/python3
"""image-seeds.py OUT PDF - seeds for fuzz_image (run.sh): the first page of
the printed sample PDF as small form pages at 75 dpi (620 x 877 pixels) in the
formats scanners and phones send, by pdftoppm (PNG gray and bilevel, JPEG
baseline and progressive, TIFF LZW and PackBits, PBM, PGM), and, written here,
a two-page bilevel TIFF (PackBits) and a 1-bit BMP.  Standard library and
poppler-utils only; nothing is kept in the repository."""
import os
import struct
import subprocess
import sys

out, pdf = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for name, opts in [("gray", ["-gray", "-png"]), ("mono", ["-mono", "-png"]),
                   ("q30", ["-gray", "-jpeg", "-jpegopt", "quality=30"]),
                   ("progressive", ["-jpeg", "-jpegopt", "quality=20,progressive=y"]),
                   ("lzw", ["-gray", "-tiff", "-tiffcompression", "lzw"]),
                   ("packbits", ["-mono", "-tiff", "-tiffcompression", "packbits"]),
                   ("pbm", ["-mono"]), ("pgm", ["-gray"])]:
    subprocess.run(["pdftoppm", "-r", "75", "-f", "1", "-l", "1", "-singlefile", *opts, pdf,
                    os.path.join(out, "page-" + name)], check=True, stderr=subprocess.DEVNULL)

W = H = 640
# black bars on white, 1 bit a pixel (1 = black)
rows = [bytes(0xFF if (y // 8) % 4 == 0 and 8 <= x < 72 else 0 for x in range(W // 8)) for y in range(H)]


def packbits(row):
    """literal runs of at most 128 bytes"""
    return b"".join(bytes([len(row[i:i + 128]) - 1]) + row[i:i + 128] for i in range(0, len(row), 128))


# two pages: strips first, then an IFD per page chained to the next
strips = [b"".join(packbits(r) for r in rows), b"".join(packbits(r[::-1]) for r in rows)]
tiff = bytearray(b"II*\0\0\0\0\0")
at = []
for s in strips:
    at.append(len(tiff))
    tiff += s
ifds = []
for i, s in enumerate(strips):
    tags = [(256, 3, W), (257, 3, H), (258, 3, 1), (259, 3, 32773), (262, 3, 0), (273, 4, at[i]),
            (277, 3, 1), (278, 3, H), (279, 4, len(s))]
    ifds.append(len(tiff))
    tiff += struct.pack("<H", len(tags))
    for tag, kind, value in tags:
        tiff += struct.pack("<HHII", tag, kind, 1, value)
    tiff += b"\0\0\0\0"
struct.pack_into("<I", tiff, 4, ifds[0])
struct.pack_into("<I", tiff, ifds[0] + 2 + 9 * 12, ifds[1])
with open(os.path.join(out, "two-pages.tif"), "wb") as f:
    f.write(tiff)

# 1-bit BMP: rows bottom-up, each padded to 4 bytes; palette white, black
stride = (W // 8 + 3) & ~3
pixels = b"".join(bytes(b ^ 0xFF for b in r) + b"\0" * (stride - len(r)) for r in reversed(rows))
info = struct.pack("<IiiHHIIiiII", 40, W, H, 1, 1, 0, len(pixels), 2835, 2835, 2, 0)
palette = b"\0\0\0\0\xff\xff\xff\0"
head = 14 + len(info) + len(palette)
with open(os.path.join(out, "page.bmp"), "wb") as f:
    f.write(b"BM" + struct.pack("<IHHI", head + len(pixels), 0, 0, head) + info + palette + pixels)
