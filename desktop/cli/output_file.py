"""An output file named on the command line (`--pdf FILE`): checked before anything is recorded,
written to a temporary file beside it inside the service's transaction, renamed after commit.

So a directory, a missing folder or an unwritable place is refused with nothing recorded, and a
write that fails half-way (a full disk) rolls the record back with it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from desktop.domain.errors import DomainError, InvalidValue
from desktop.domain.inquiry import InquiryAnswer, Requester
from desktop.services.certificates import render_pdf

from .base import checked_path


class OutputUnwritable(InvalidValue):
    """The output path cannot take a file (exit 2)."""


@dataclass
class PdfTarget:
    path: Path
    _tmp: Path | None = field(default=None, repr=False)

    @classmethod
    def checked(cls, raw: str | None, option: str = "pdf") -> PdfTarget | None:
        if not raw:
            return None
        path = checked_path(raw, option)
        folder = path.absolute().parent
        if path.is_dir():
            raise OutputUnwritable(f"«{raw}» یک پوشه است؛ نام یک فایل را بدهید.", f"--{option} {raw} is a directory",
                                   field=option)
        if not folder.is_dir():
            raise OutputUnwritable(f"پوشه «{folder}» وجود ندارد.", f"--{option}: folder {folder} does not exist",
                                   field=option)
        if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise OutputUnwritable(f"در «{raw}» نمی‌توان نوشت.", f"--{option} {raw} is not writable", field=option)
        if path.exists() and not path.is_file():
            raise OutputUnwritable(f"«{raw}» یک فایل معمولی نیست.", f"--{option} {raw} is not a regular file",
                                   field=option)
        return cls(path)

    def deliver(self, answer: InquiryAnswer, certificate: Requester | None) -> None:
        """Render and write to a temporary file in the target folder (inside the transaction)."""
        pdf = render_pdf(answer, certificate)
        try:
            fd, name = tempfile.mkstemp(dir=self.path.absolute().parent, prefix=f".{self.path.name[:200]}.",
                                        suffix=".part")
        except OSError as exc:
            raise OutputUnwritable(f"در پوشه «{self.path.parent}» نمی‌توان نوشت.",
                                   f"cannot write in {self.path.parent}: {exc.strerror}", field="pdf") from None
        self._tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(pdf)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            self.discard()
            raise OutputUnwritable(f"نوشتن فایل «{self.path}» ممکن نشد (مثلاً دیسک پر است)؛ چیزی ثبت نشد.",
                                   f"cannot write {self.path}: {exc.strerror}; nothing was recorded",
                                   field="pdf") from None

    def commit(self, tracking_code: str) -> None:
        """After the record is committed: put the file in its place."""
        if self._tmp is None:
            return
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.discard()
            # The answer is recorded by now; its tracking code must not be lost with the file.
            raise DomainError(f"نوشتن فایل «{self.path}» ممکن نشد (کد پیگیری {tracking_code}).",
                              f"cannot write {self.path}: {exc.strerror} (tracking code {tracking_code})") from None
        self._tmp = None

    def discard(self) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None
