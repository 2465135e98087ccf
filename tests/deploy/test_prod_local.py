"""`make prod-local`'s topology, started by the same code (bench.stack.prod_local): production
settings under gunicorn with 2 workers, qcluster with 2 workers on the Redis broker,
PostgreSQL, moto's S3 server. One RAW goes from the uploader's HTTP calls straight to S3,
through the queue to a worker, and comes out as a proof in the bucket.

The database (booke_prodlocal_test) is kept between runs, as `make prod-local` keeps its own:
migrating a fresh one takes minutes on a busy 2-core machine. BOOKE_PRODLOCAL_FRESH=1 drops
and recreates it first."""

import os
from pathlib import Path

import pytest
import requests

from bench import stack

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/booke_prodlocal_test"
REDIS_URL = "redis://127.0.0.1:6379/14"
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "raw"
PHOTOGRAPHER = "photo@booke.test"



@pytest.fixture(scope="module")
def prod_local():
    for problem in (stack.postgres_problem(DATABASE_URL), stack.redis_problem(REDIS_URL)):
        if problem:
            pytest.skip(problem)
    # Tasks an interrupted run left in the queue name rows of that run: not ours to do.
    stack.flush_redis(REDIS_URL)
    fresh = os.environ.get("BOOKE_PRODLOCAL_FRESH") == "1"
    with stack.prod_local(DATABASE_URL, REDIS_URL, fresh=fresh, log=lambda line: None) as env:
        yield env


def _raw_file(tmp_path: Path) -> Path:
    """A real camera file when the shared samples are here, the project's generator otherwise.
    A copy with one byte appended: every run uploads a file the database has not seen."""
    sample = SAMPLE / "canon_eos_6d.dng"
    if sample.exists():
        data = sample.read_bytes()
    else:
        from bench.dng import write_dng

        write_dng(tmp_path / "gen.dng", 1200, 800, preview="full", seed=7)
        data = (tmp_path / "gen.dng").read_bytes()
    path = tmp_path / "IMG_0001.dng"
    path.write_bytes(data + os.urandom(16))
    return path


def _new_session(env: dict) -> int:
    code = (
        "from booker import services; from booker.models import User; "
        f"p = User.objects.get(email='{PHOTOGRAPHER}'); "
        "c = User.objects.get(email='client@booke.test'); "
        "s = services.create_session(title='prod-local upload', client=c, photographer=p, "
        "actor=p); print('SESSION', s.pk)"
    )
    out = stack.manage(env, "shell", "-c", code).stdout
    return int(out.split("SESSION")[-1].split()[0])


def _proof_name(env: dict, rush_id: int) -> str:
    code = (f"from booker.models import Rush; r = Rush.objects.get(pk={rush_id}); "
            "print('PROOF', r.proof.name)")
    return stack.manage(env, "shell", "-c", code).stdout.split("PROOF")[-1].strip()


def test_one_raw_goes_from_the_uploader_through_s3_and_a_worker_to_a_proof(prod_local, tmp_path):
    from booker.demo import DEMO_PASSWORD

    site, s3 = prod_local.site, prod_local.s3
    assert len(site.worker_pids()) == 2 and len(prod_local.cluster.worker_pids()) == 2
    session_id = _new_session(prod_local.env)
    http = requests.Session()
    stack.login(http, site.url, PHOTOGRAPHER, DEMO_PASSWORD)
    raw = _raw_file(tmp_path)

    result = stack.drive_upload(http, site.url, session_id, raw)

    assert result["status"] == "created", result
    assert result["mode"] == "s3" and result["sent"] == raw.stat().st_size
    progress = stack.wait_for_proofs(http, site.url, session_id, timeout=300)
    [rush] = progress["rushes"]
    assert rush["id"] == result["rush"]
    assert rush["status"] == "ready", rush
    # The proof is in the bucket, private: no unsigned read.
    key = f"proofs/{_proof_name(prod_local.env, rush['id'])}"
    assert key in s3.keys("proofs/")
    assert s3.client.head_object(Bucket=s3.bucket, Key=key)["ContentLength"] > 0
    assert requests.get(f"{s3.url}/{s3.bucket}/{key}", timeout=10).status_code == 403
    # The same file again is recognised, not stored twice.
    again = stack.drive_upload(http, site.url, session_id, raw)
    assert again["status"] == "duplicate" and again["rush"] == rush["id"]
    # Stateless processes: nothing written in their working directory, nothing in VAR_DIR but
    # the static files collected before they started.
    assert os.listdir(stack.run_dir()) == []
    var_dir = Path(prod_local.env.get("BOOKE_VAR_DIR") or stack.app_env()["BOOKE_VAR_DIR"])
    assert sorted(os.listdir(var_dir)) == ["static"]
