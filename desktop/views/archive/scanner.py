"""A paper from a scanner, through SANE (`python-sane`), when one is attached.

`python-sane` is optional: without it, or with no device found, the screen says plainly
«اسکنری پیدا نشد» — never a traceback. Both calls block on the device, so a screen runs them
inside an Operation.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from dataclasses import dataclass
from types import ModuleType

from desktop.domain.errors import DomainError

NO_SCANNER = "اسکنری پیدا نشد. اسکنر را روشن و به رایانه وصل کنید، یا سند را از فایل بیفزایید."
SCAN_FAILED = "اسکن انجام نشد: {reason}"


class NoScanner(DomainError):
    def __init__(self, en: str) -> None:
        super().__init__(NO_SCANNER, en)


@dataclass(frozen=True)
class Scan:
    filename: str
    data: bytes  # PNG
    media_type: str = "image/png"


def _sane() -> ModuleType:
    try:
        return importlib.import_module("sane")
    except ImportError as exc:  # python-sane (or libsane) is not installed on this machine
        raise NoScanner(f"python-sane is not available: {exc}") from None


def find_scanners() -> list[str]:
    """The SANE device names; NoScanner when SANE is missing or finds nothing."""
    sane = _sane()
    try:
        sane.init()
        devices = [str(device[0]) for device in sane.get_devices()]
    except Exception as exc:  # noqa: BLE001 - a driver's failure is "no scanner" to the clerk
        raise NoScanner(f"SANE failed: {exc}") from None
    if not devices:
        raise NoScanner("SANE found no device")
    return devices


def scan_page(device: str, dpi: int = 200) -> Scan:
    """One page from `device` as a PNG (grey, `dpi`), named by the time it was scanned."""
    sane = _sane()
    try:
        scanner = sane.open(device)
        try:
            for option, value in (("mode", "Gray"), ("resolution", dpi)):
                try:
                    setattr(scanner, option, value)
                except Exception:  # noqa: BLE001, S112 - a device without that option scans as it is set
                    continue
            image = scanner.scan()
        finally:
            scanner.close()
    except Exception as exc:  # noqa: BLE001 - told in Persian, never a traceback
        raise DomainError(SCAN_FAILED.format(reason=exc), f"scan failed: {exc}") from None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return Scan(f"scan-{dt.datetime.now():%Y%m%d-%H%M%S}.png", buffer.getvalue())
