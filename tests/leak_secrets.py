"""The secret values a test made or met: moto Secrets Manager strings and the simulators' keys.

Two sources, both gathered without touching the code under test:

- moto: every ``SecretString`` stored through ``SecretsManagerBackend._add_secret`` (create, put, update)
  is recorded as it is stored, because ``mock_aws`` wipes its backends when the context ends, usually
  before the test is over. The wrap is installed when moto's Secrets Manager models are imported (an
  import hook, so the plugin itself does not import moto); the live backends are also read at each check.
- simulators: every ``Simulator`` started during the test is remembered (``Simulator.start`` is wrapped);
  the CloudBasic users' secret keys, the HA cluster's remote private key, the Capella secret key and the
  Capella database users' passwords are read from them at each check.

A JSON secret contributes its whole string and the values of its secret-looking keys (``password``,
``SecretAccessKey``, ``privateKey``...), not its host, user or database names, which are not secret and
legitimately appear in attributes and logs. Values shorter than ``MIN_LENGTH`` are ignored.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import json
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any

MIN_LENGTH = 8
MOTO_MODULE = "moto.secretsmanager.models"
_SECRET_KEY_WORDS = ("password", "passwd", "pwd", "secret", "private", "token", "activationkey", "apikey")


def looks_secret_key(name: str) -> bool:
    """True for a JSON key whose value is a secret (``password``, ``SecretKey``, ``privateKey``...)."""
    lowered = name.replace("_", "").replace("-", "").lower()
    if lowered.endswith(("arn", "id")):
        return False
    return any(word in lowered for word in _SECRET_KEY_WORDS)


def values_of_secret_string(text: str) -> set[str]:
    """The secret values a ``SecretString`` holds: itself, and its secret-looking JSON values."""
    found = {text}
    try:
        parsed = json.loads(text)
    except ValueError:
        return _long_enough(found)
    found.update(_secret_values(parsed))
    return _long_enough(found)


def _secret_values(value: Any, secret: bool = False) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _secret_values(item, secret or looks_secret_key(str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _secret_values(item, secret)
    elif secret and isinstance(value, str):
        yield value


def _long_enough(values: Iterable[str]) -> set[str]:
    return {v for v in values if len(v) >= MIN_LENGTH}


class SecretLedger:
    """Secret values seen since the last ``reset`` (thread-safe: handlers run in server threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._strings: set[str] = set()
        self._simulators: list[Any] = []

    def reset(self) -> None:
        with self._lock:
            self._strings.clear()
            self._simulators.clear()

    def add_secret_string(self, text: str | None) -> None:
        if text:
            with self._lock:
                self._strings.add(text)

    def add_simulator(self, simulator: Any) -> None:
        with self._lock:
            self._simulators.append(simulator)

    @property
    def simulators(self) -> list[Any]:
        with self._lock:
            return list(self._simulators)

    def values(self) -> set[str]:
        """Every secret value known now (moto strings, live moto backends, started simulators)."""
        with self._lock:
            strings = set(self._strings)
            simulators = list(self._simulators)
        strings.update(_live_moto_strings())
        found: set[str] = set()
        for text in strings:
            found |= values_of_secret_string(text)
        for simulator in simulators:
            found |= _long_enough(_simulator_secrets(simulator))
        return found


LEDGER = SecretLedger()


def _live_moto_strings() -> Iterator[str]:
    module = sys.modules.get(MOTO_MODULE)
    if module is None:
        return
    backends = getattr(module, "secretsmanager_backends", {})
    for account in list(dict.values(backends)):
        for backend in list(dict.values(account)):
            for secret in list(dict.values(getattr(backend, "secrets", {}))):
                for version in list(getattr(secret, "versions", {}).values()):
                    text = version.get("secret_string")
                    if isinstance(text, str):
                        yield text


def _simulator_secrets(simulator: Any) -> Iterator[str]:
    """The secrets a CloudBasic or Capella simulator holds (duck-typed: other simulators hold none)."""
    state = getattr(simulator, "state", None)
    secret_key = getattr(getattr(simulator, "credentials", None), "secret_key", None)
    if isinstance(secret_key, str):
        yield secret_key
    if state is None:
        return
    admin = getattr(state, "admin", None)
    if isinstance(admin, tuple) and len(admin) == 2:
        yield str(admin[1])
    for user in list(getattr(state, "users", {}).values()):
        key = getattr(user, "secret_access_key", None)
        if isinstance(key, str):
            yield key
    cluster = getattr(state, "cluster", None)
    private = getattr(cluster, "remote_private_key", None)
    if isinstance(private, str):
        yield private
    for users in list(getattr(state, "cluster_users", {}).values()):
        for user in list(users.values()):
            password = getattr(user, "password", None)
            if isinstance(password, str):
                yield password


# -- installation ---------------------------------------------------------------------------------------
def install() -> None:
    """Wrap ``Simulator.start`` now and moto's ``_add_secret`` now or when it is imported."""
    from simulators.server import Simulator

    if not getattr(Simulator.start, "_leak_ledger", False):
        original_start = Simulator.start

        @functools.wraps(original_start)
        def start(self: Any) -> Any:
            LEDGER.add_simulator(self)
            return original_start(self)

        start._leak_ledger = True  # type: ignore[attr-defined]
        Simulator.start = start  # type: ignore[method-assign]

    module = sys.modules.get(MOTO_MODULE)
    if module is not None:
        _wrap_moto(module)
    elif not any(isinstance(f, _MotoImportHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _MotoImportHook())


def _wrap_moto(module: ModuleType) -> None:
    backend = module.SecretsManagerBackend
    original = backend._add_secret
    if getattr(original, "_leak_ledger", False):
        return

    @functools.wraps(original)
    def _add_secret(self: Any, secret_id: str, secret_string: str | None = None, *a: Any, **k: Any) -> Any:
        LEDGER.add_secret_string(secret_string)
        return original(self, secret_id, secret_string, *a, **k)

    _add_secret._leak_ledger = True  # type: ignore[attr-defined]
    backend._add_secret = _add_secret


class _MotoImportHook(importlib.abc.MetaPathFinder):
    """Wraps moto's Secrets Manager backend right after the module is executed (then steps aside)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MOTO_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        loader = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            _wrap_moto(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        return spec
