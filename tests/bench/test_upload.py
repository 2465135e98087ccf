"""`bench upload` still runs end to end on a small file: gunicorn with production settings,
moto's S3 server, the uploader's API straight to S3 and in chunks to the app."""

import hashlib
import re

from bench import upload


def test_bench_upload_sends_a_small_file_both_ways_and_prints_the_rss_delta_last(capsys):
    assert upload.run(["--size-mb", "11", "--part-mb", "5", "--workers", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # 11 MiB in 5 MiB parts: 3 parts, each way.
    assert any(re.match(r"\s+s3\s+3 parts of 5 MiB", line) for line in lines), lines
    assert any(re.match(r"\s+local\s+3 parts of 5 MiB", line) for line in lines), lines
    assert re.fullmatch(r"web RSS delta: -?\d+\.\d MB for a 11 MB upload \(s3 path, goal < 20 MB\)",
                        lines[-1]), lines[-1]


def test_the_generated_file_is_the_same_whichever_way_it_is_read():
    data = upload.Generated(3 * upload.MIB + 123, seed=5)
    whole = data.read(0, data.size)
    assert len(whole) == data.size
    pieces = b"".join(data.read(o, 700_001) for o in range(0, data.size, 700_001))
    assert pieces == whole
    assert data.sha256() == hashlib.sha256(whole).hexdigest()
    assert upload.Generated(data.size, seed=6).sha256() != data.sha256()
