"""The FunctionGraph ``context`` object, as a local run and the tests provide it: the methods the function uses."""

from __future__ import annotations

import time
import uuid


class LocalContext:
    def __init__(self, ak: str | None, sk: str | None, token: str | None, project_id: str | None,
                 user_data: dict[str, str] | None = None, timeout_s: float = 60.0) -> None:
        self._ak, self._sk, self._token, self._project = ak, sk, token, project_id
        self._user_data = dict(user_data or {})
        self._end = time.monotonic() + timeout_s
        self._request_id = str(uuid.uuid4())

    def getRequestID(self) -> str:
        return self._request_id

    def getRemainingTimeInMilliSeconds(self) -> int:
        return max(0, int((self._end - time.monotonic()) * 1000))

    def getSecurityAccessKey(self) -> str | None:
        return self._ak

    def getSecuritySecretKey(self) -> str | None:
        return self._sk

    def getSecurityToken(self) -> str | None:
        return self._token

    def getProjectID(self) -> str | None:
        return self._project

    def getUserData(self, key: str, default: str | None = None) -> str | None:
        return self._user_data.get(key, default)

    def getFunctionName(self) -> str:
        return "cce-postcheck"

    def getLogger(self):
        import logging

        return logging.getLogger("functiongraph")


# The same context for a child interpreter that has nothing but the function's code on its path (the package
# tests and the cold-start benchmark): source to prepend to the child's program. ``Context(cfg)`` answers from
# a dict with ak, sk, token, project and env.
CHILD_CONTEXT_SOURCE = """
class Context:
    def __init__(self, cfg):
        self.cfg = cfg
    def getRemainingTimeInMilliSeconds(self): return 60000
    def getSecurityAccessKey(self): return self.cfg["ak"]
    def getSecuritySecretKey(self): return self.cfg["sk"]
    def getSecurityToken(self): return self.cfg["token"]
    def getProjectID(self): return self.cfg["project"]
    def getUserData(self, key, default=None): return self.cfg["env"].get(key, default)
"""
