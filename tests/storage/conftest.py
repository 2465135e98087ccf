"""A real S3 endpoint for the storage tests: moto's server on loopback, spoken to over HTTP by
boto3 (django-storages) and by `requests` (the browser's part), not in-process mocking, so
that signatures, headers and refusals go through a real HTTP exchange."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

from booke.settings.base import s3_storages

BUCKET = "booke-s3-tests"
REGION = "eu-west-3"
# moto accepts any key; naming them here keeps boto3 away from whatever ~/.aws holds.
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

UPLOAD_CORS = {
    "CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["PUT", "GET"], "AllowedHeaders": ["*"],
         "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3600},
    ]
}


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str
    client: object  # a boto3 S3 client, for looking behind django-storages' back

    def plain_url(self, key: str) -> str:
        """The object's address with no signature: what a guessed or leaked key gives."""
        return f"{self.endpoint}/{self.bucket}/{key}"

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(obj["Key"] for obj in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3]:
    # The server logs every request it answers; a failing test's output should show the test.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    # Port 0: the OS picks a free one, so parallel runs and a busy :5000 never collide.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # The deployment's policy (docs/architecture.md): public media readable by anyone, and
    # nothing else; originals/ and proofs/ stay private, reached only with a signed link.
    client.put_bucket_policy(
        Bucket=BUCKET,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "PublicMedia",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{BUCKET}/media/*",
                    }
                ],
            }
        ),
    )
    # The browser PUTs rush parts straight to the bucket from the studio's origin (see
    # docs/architecture.md, "Rush uploads"); the deployment's CORS rule, as on S3.
    client.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=UPLOAD_CORS)
    try:
        yield S3(endpoint=endpoint, bucket=BUCKET, client=client)
    finally:
        server.stop()
        werkzeug_log.setLevel(level)


@pytest.fixture
def s3(settings, s3_server: S3) -> Iterator[S3]:
    """The three file storages on the test bucket, configured exactly as in production
    (s3_storages), for one test; the bucket is emptied afterwards."""
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_PRIVATE_BUCKET_NAME = BUCKET
    settings.AWS_S3_ENDPOINT_URL = s3_server.endpoint
    settings.AWS_S3_REGION_NAME = REGION
    settings.AWS_S3_ADDRESSING_STYLE = "path"  # 127.0.0.1 has no sub-domains for buckets
    settings.AWS_S3_ACCESS_KEY_ID = CREDENTIALS["aws_access_key_id"]
    settings.AWS_S3_SECRET_ACCESS_KEY = CREDENTIALS["aws_secret_access_key"]
    # Set last: the setting_changed signal for STORAGES drops every storage built so far, and
    # the S3 ones are then built from the AWS_* settings above.
    settings.STORAGES = {**settings.STORAGES, **s3_storages(BUCKET, BUCKET)}
    yield s3_server
    # Primary keys repeat from one test to the next (rolled back), and so would proof keys.
    for key in s3_server.keys():
        s3_server.client.delete_object(Bucket=BUCKET, Key=key)
    # …and so would the keys of rush uploads a test left open.
    listing = s3_server.client.list_multipart_uploads(Bucket=BUCKET)
    for upload in listing.get("Uploads", []):
        s3_server.client.abort_multipart_upload(Bucket=BUCKET, Key=upload["Key"],
                                                UploadId=upload["UploadId"])


class Outage:
    """The storages' S3 endpoint, which a test can take down and bring back."""

    def __init__(self) -> None:
        self.server: ThreadedMotoServer | None = None
        self.hung: socket.socket | None = None
        self.port = 0
        self.timings: dict[str, float] = {}

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        self._release()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        self.port = self.server.get_host_and_port()[1]

    def down(self) -> None:
        """Nothing listens on the port: every connection is refused."""
        self._release()

    def hang(self) -> None:
        """The port accepts connections (the kernel's backlog) and never answers a byte."""
        self._release()
        self.hung = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.hung.bind(("127.0.0.1", self.port))
        self.hung.listen(64)

    def _release(self) -> None:
        if self.server is not None:
            self.server.stop()
            # stop() leaves the socket bound and listening: connections would queue, unanswered.
            self.server._server.server_close()
            self.server = None
        if self.hung is not None:
            self.hung.close()
            self.hung = None

    def timed(self, label: str, call):
        began = time.monotonic()
        try:
            return call()
        finally:
            self.timings[label] = time.monotonic() - began
            print(f"[s3 down] {label}: {self.timings[label]:.2f} s")


@pytest.fixture
def outage(s3: S3, settings) -> Iterator[Outage]:
    """The storages on an S3 endpoint of their own, up, built as production builds them."""
    switch = Outage()
    switch.up()
    settings.AWS_S3_ENDPOINT_URL = switch.endpoint
    settings.STORAGES = {**settings.STORAGES, **s3_storages(BUCKET, BUCKET)}
    try:
        yield switch
    finally:
        switch._release()
