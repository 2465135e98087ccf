"""bench.stack starts the deployment's processes on loopback and leaves none behind."""

import os
from pathlib import Path

import requests

from bench import stack


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()


def test_s3_endpoint_serves_the_deployed_bucket_and_stops_with_its_block():
    with stack.s3_endpoint(bucket="stack-test") as s3:
        s3.client.put_object(Bucket=s3.bucket, Key="media/a.jpg", Body=b"public")
        s3.client.put_object(Bucket=s3.bucket, Key="proofs/a.jpg", Body=b"private")
        # The deployment's policy: media/ readable without a signature, the rest refused.
        assert requests.get(f"{s3.url}/{s3.bucket}/media/a.jpg", timeout=10).content == b"public"
        assert requests.get(f"{s3.url}/{s3.bucket}/proofs/a.jpg", timeout=10).status_code == 403
        rule = s3.client.get_bucket_cors(Bucket=s3.bucket)["CORSRules"][0]
        assert "PUT" in rule["AllowedMethods"] and rule["ExposeHeaders"] == ["ETag"]
        assert s3.env["AWS_S3_ENDPOINT_URL"] == s3.url
        assert s3.keys("proofs/") == ["proofs/a.jpg"]
        pid = s3.pid
    assert _gone(pid)


def test_web_runs_production_settings_on_loopback_http_and_stops_all_its_workers():
    # /healthz needs a database connection, not a migrated schema: a bare SQLite file will do.
    env = {"DATABASE_URL": f"sqlite:///{stack.state_dir() / 'test_stack.sqlite3'}"}
    with stack.web(env, workers=2) as site:
        workers = site.worker_pids()
        assert len(workers) == 2
        answer = requests.get(f"{site.url}/healthz", timeout=10, allow_redirects=False)
        # Production settings, yet no redirect to https: BOOKE_LOCAL_HTTP is on.
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
        login = requests.get(f"{site.url}/accounts/login/", timeout=30)
        assert "Secure" not in login.headers.get("Set-Cookie", "")
        assert stack.rss_kib(workers[0]) > 0
        assert stack.peak_rss_kib(workers[0]) >= stack.rss_kib(workers[0])
        master = site.master_pid
    assert all(_gone(pid) for pid in [master, *workers])
    # The web processes wrote nothing in their working directory.
    assert os.listdir(stack.run_dir()) == []


def test_app_processes_get_only_the_environment_they_are_given(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://elsewhere/not-this-one")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "someone-elses-bucket")
    env = stack.app_env({"REDIS_URL": "redis://127.0.0.1:6379/9"})
    assert "DATABASE_URL" not in env and "AWS_STORAGE_BUCKET_NAME" not in env
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/9"
    assert env["DJANGO_SETTINGS_MODULE"] == "booke.settings.production"
