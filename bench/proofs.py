"""Time to turn one camera file into its proof and thumbnail (decode, resize, watermark,
encode, read EXIF), per sample file: the work of one ingest task without storage."""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

from django.conf import settings

from booker import services
from booker.intake import imaging


def one(data: bytes) -> tuple[int, int]:
    picture = imaging.open_picture(io.BytesIO(data), services.PROOF_EDGE)
    proof = imaging.watermark(imaging.fit(picture, services.PROOF_EDGE), settings.STUDIO_WATERMARK)
    imaging.to_jpeg(proof)
    imaging.to_jpeg(imaging.fit(picture, services.THUMB_EDGE))
    imaging.read_metadata(data)
    return proof.size


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench proofs")
    parser.add_argument(
        "files", nargs="*", type=Path, help="camera files (default: the sample RAWs)"
    )
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    files = args.files or sorted((Path(settings.STUDIO_SAMPLES_DIR) / "raw").glob("*"))
    if not files:
        print("no file to measure (give some, or put the samples in ../shared/samples/raw)")
        return 0
    medians = []
    for path in files:
        data = path.read_bytes()
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            size = one(data)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        medians.append(median)
        print(
            f"{path.name:<24} {len(data) / 1e6:7.2f} MB  proof {size[0]}x{size[1]:<5}"
            f"  median {median * 1000:7.1f} ms  min {min(times) * 1000:7.1f} ms"
        )
    print(f"proof time per file (median of medians): {statistics.median(medians) * 1000:.1f} ms")
    return 0
