"""Where a site is published: a folder, S3-compatible storage, or an SSH/SFTP server.

Each target says what it holds (`listing`: name -> a hash it can compare), replaces one file
whole (`put`), deletes one (`delete`) and records its state at the end (`done`). S3 compares
by ETag (the MD5 of an object uploaded in one PUT, which is how readcast uploads); the folder
and SFTP targets keep a manifest (`.readcast-manifest.json`: name -> sha256) beside the site,
and write each file under a temporary name first, then rename it into place.
"""

from __future__ import annotations

import json
import os
import shutil
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..config import Show
from . import LocalFile, PublishError

MANIFEST = ".readcast-manifest.json"


class Target(ABC):
    @abstractmethod
    def listing(self) -> dict[str, str]: ...

    @abstractmethod
    def put(self, f: LocalFile) -> None: ...

    @abstractmethod
    def delete(self, name: str) -> None: ...

    def matches(self, f: LocalFile, remote: str) -> bool:
        return remote == f.sha256

    def done(self, local: dict[str, LocalFile]) -> None:  # noqa: B027 - optional hook
        pass

    def close(self) -> None:  # noqa: B027 - optional hook
        pass


class ManifestTarget(Target):
    """Targets that remember what they hold in a manifest file beside the site."""

    FLUSH = 20

    def __init__(self) -> None:
        self.manifest: dict[str, str] = {}
        self._dirty = 0

    def _record(self, name: str, sha: str | None) -> None:
        if sha is None:
            self.manifest.pop(name, None)
        else:
            self.manifest[name] = sha
        self._dirty += 1
        if self._dirty >= self.FLUSH:
            self.write_manifest()

    def write_manifest(self) -> None:
        self._write(MANIFEST, json.dumps(self.manifest, indent=1, sort_keys=True).encode())
        self._dirty = 0

    @abstractmethod
    def _write(self, name: str, data: bytes) -> None: ...

    def done(self, local: dict[str, LocalFile]) -> None:
        self.write_manifest()


class FolderTarget(ManifestTarget):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PublishError(f"cannot be made ({exc.strerror})", root, "check the path and its permissions") from None
        try:
            data = json.loads((root / MANIFEST).read_text())
            self.manifest = {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.manifest = {}

    def listing(self) -> dict[str, str]:
        # what the manifest says, for files still there (someone may have deleted one by hand)
        return {k: v for k, v in self.manifest.items() if (self.root / k).is_file()}

    def _write(self, name: str, data: bytes) -> None:
        dest = self.root / name
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)

    def put(self, f: LocalFile) -> None:
        dest = self.root / f.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        shutil.copyfile(f.path, tmp)
        os.replace(tmp, dest)
        self._record(f.name, f.sha256)

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)
        self._record(name, None)


class S3Target(Target):
    def __init__(self, bucket: str, prefix: str, show: Show):
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise PublishError("publishing to S3 needs boto3", None, "pip install 'readcast[publish]'") from None
        self.bucket, self.prefix = bucket, prefix.strip("/") + "/" if prefix.strip("/") else ""
        kwargs = {}
        if show.publish.endpoint_url:
            kwargs["endpoint_url"] = show.publish.endpoint_url
        if show.publish.region:
            kwargs["region_name"] = show.publish.region
        self.s3 = boto3.client("s3", config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                                  s3={"addressing_style": "path"}), **kwargs)

    def _call(self, what: str, fn, *args, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(*args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise PublishError(f"S3 {what} failed ({str(exc)[:160]})", f"s3://{self.bucket}/{self.prefix}",
                               "check the bucket, endpoint_url and credentials (AWS_ACCESS_KEY_ID, ~/.aws)") from None

    def listing(self) -> dict[str, str]:
        out: dict[str, str] = {}
        paginator = self.s3.get_paginator("list_objects_v2")
        pages = self._call("listing", lambda: list(paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)))
        for page in pages:
            for obj in page.get("Contents", []):
                name = obj["Key"][len(self.prefix):]
                if name and not name.startswith("."):
                    out[name] = obj["ETag"].strip('"')
        return out

    def matches(self, f: LocalFile, remote: str) -> bool:
        return remote == f.md5  # one PUT: the ETag is the MD5 of the object

    def put(self, f: LocalFile) -> None:
        with open(f.path, "rb") as fh:
            self._call(f"upload of {f.name}", self.s3.put_object, Bucket=self.bucket, Key=self.prefix + f.name, Body=fh,
                       ContentType=f.content_type, CacheControl=f.cache_control, Metadata={"sha256": f.sha256})

    def delete(self, name: str) -> None:
        self._call(f"delete of {name}", self.s3.delete_object, Bucket=self.bucket, Key=self.prefix + name)


class SFTPTarget(ManifestTarget):
    def __init__(self, url: str, show: Show):
        super().__init__()
        try:
            import paramiko
        except ImportError:
            raise PublishError("publishing over SSH needs paramiko", None, "pip install 'readcast[publish]'") from None
        u = urlparse(url)
        self.root = unquote(u.path) or "."
        self.where = url
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        known = os.environ.get("READCAST_SSH_KNOWN_HOSTS")
        if known:
            client.load_host_keys(known)
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            client.connect(u.hostname or "localhost", port=u.port or 22, username=u.username,
                           key_filename=os.environ.get("READCAST_SSH_KEY") or None, timeout=20, allow_agent=True,
                           look_for_keys=True)
            self.sftp = client.open_sftp()
        except (paramiko.SSHException, OSError) as exc:
            raise PublishError(f"SSH connection failed ({exc})", url,
                               "check the host, port, user and key (READCAST_SSH_KEY, ~/.ssh, known_hosts)") from None
        self.client = client
        try:
            with self.sftp.open(f"{self.root}/{MANIFEST}", "r") as fh:
                data = json.loads(fh.read())
            self.manifest = {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.manifest = {}

    def _mkdirs(self, folder: str) -> None:
        parts = folder.strip("/").split("/")
        path = "/" if folder.startswith("/") else ""
        for part in parts:
            path = f"{path}{part}/"
            try:
                self.sftp.stat(path)
            except OSError:
                self.sftp.mkdir(path)

    def listing(self) -> dict[str, str]:
        return dict(self.manifest)

    def _write(self, name: str, data: bytes) -> None:
        dest = f"{self.root}/{name}"
        tmp = f"{self.root}/.{Path(name).name}.{os.getpid()}.tmp"
        with self.sftp.open(tmp, "wb") as fh:
            fh.write(data)
        self.sftp.posix_rename(tmp, dest)

    def put(self, f: LocalFile) -> None:
        dest = f"{self.root}/{f.name}"
        self._mkdirs(os.path.dirname(dest))
        tmp = f"{os.path.dirname(dest)}/.{Path(f.name).name}.{os.getpid()}.tmp"
        try:
            self.sftp.put(str(f.path), tmp)
            self.sftp.posix_rename(tmp, dest)  # whole or not at all
        except OSError as exc:
            raise PublishError(f"upload of {f.name} failed ({exc})", self.where, "check the server and rerun") from None
        self._record(f.name, f.sha256)

    def delete(self, name: str) -> None:
        try:
            self.sftp.remove(f"{self.root}/{name}")
        except OSError:
            pass
        self._record(name, None)

    def close(self) -> None:
        self.sftp.close()
        self.client.close()


def open_target(url: str, show: Show) -> Target:
    u = urlparse(url)
    if u.scheme == "s3":
        if not u.netloc:
            raise PublishError(f"{url!r} names no bucket", show.root / "show.toml", 'write target = "s3://bucket/prefix"')
        return S3Target(u.netloc, u.path, show)
    if u.scheme in ("sftp", "ssh"):
        return SFTPTarget(url, show)
    if u.scheme in ("", "file"):
        path = Path(unquote(u.path) if u.scheme == "file" else url).expanduser()
        return FolderTarget(path if path.is_absolute() else show.root / path)
    raise PublishError(f"unknown publish target {url!r}", show.root / "show.toml",
                       "use s3://bucket/prefix, sftp://user@host[:port]/path or a folder")
