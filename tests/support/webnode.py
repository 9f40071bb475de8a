"""A real gunicorn serving the portal, as a subprocess a test or a bench drill owns."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.support.pgcluster import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes


def http(
    method: str, url: str, *, body: bytes | None = None, headers: dict | None = None, timeout: float = 30
) -> Answer:
    """One request; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers), exc.read())


class WebNode:
    def __init__(self, *, database_url: str, redis_url: str, settings_module: str, workers: int = 2, **extra_env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "PYTHONUNBUFFERED": "1",
            **{k: str(v) for k, v in extra_env.items()},
        }
        self.workers = workers
        self.proc = None

    def start(self, timeout: float = 60) -> "WebNode":
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "procurement.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", str(self.workers), "--threads", "2", "--graceful-timeout", "2", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        self.stop()  # never leave a server behind that nobody will stop
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


class Browser:
    """Cookies kept between requests, CSRF token sent with forms: a person's browser, minus JavaScript."""

    def __init__(self):
        import http.cookiejar

        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request) -> Answer:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, dict(exc.headers), exc.read())

    def get(self, url: str) -> Answer:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict, files: dict[str, tuple[str, bytes, str]] | None = None) -> Answer:
        """A form post; `files` (field: (name, content, type)) makes it multipart, as a browser does."""
        token = next((c.value for c in self.jar if c.name == "csrftoken"), None)
        if token is None:
            self.get(url)
            token = next(c.value for c in self.jar if c.name == "csrftoken")
        fields = {**data, "csrfmiddlewaretoken": token}
        headers = {"Referer": url}
        if files:
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in fields.items()
            ]
            for field, (name, content, content_type) in files.items():
                head = (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                    f"Content-Type: {content_type}\r\n\r\n"
                )
                parts.append(head.encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(url, data=body, headers=headers, method="POST"))
