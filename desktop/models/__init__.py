"""SQLAlchemy 2.0 typed mappings: the store's schema, shared with headquarters."""

from .account import AccountLifetime, AccountYear, DocumentLine, InsuranceDocument
from .archive import ArchiveBlob, ArchiveItem
from .base import Base, utcnow, uuid7
from .correction import CorrectionRequest, LedgerEntry, LedgerHead
from .inquiry import (
    Authority,
    Certificate,
    CertificateAttempt,
    InquiryRecord,
    PersonalBoxItem,
    TrackingSerial,
)
from .person import (
    Acquaintance,
    Employer,
    IdentityChange,
    InsuranceNumber,
    Person,
    PersonalInfo,
    PersonalInfoChange,
    PersonRole,
    Workshop,
)
from .reference import PaperKind, RelationshipType, StoreSetting
from .relationship import Relationship, RelationshipPaper
from .sync import LeaseRequest, SyncConflict, SyncQuarantine, SyncRound, SyncState
from .system import AppUser, AuditEntry, Draft, NumberBlock, NumberRange, OutboxEntry

__all__ = [
    "AccountLifetime", "AccountYear", "Acquaintance", "AppUser", "ArchiveBlob", "ArchiveItem",
    "AuditEntry", "Authority", "Base", "Certificate", "CertificateAttempt", "CorrectionRequest",
    "DocumentLine", "Draft", "Employer", "IdentityChange", "InquiryRecord", "InsuranceDocument",
    "InsuranceNumber", "LeaseRequest", "LedgerEntry", "LedgerHead", "NumberBlock", "NumberRange", "OutboxEntry", "PaperKind",
    "Person", "PersonRole", "PersonalBoxItem", "PersonalInfo", "PersonalInfoChange", "Relationship",
    "RelationshipPaper", "RelationshipType", "StoreSetting", "SyncConflict", "SyncQuarantine", "SyncRound", "SyncState", "TrackingSerial", "Workshop",
    "utcnow", "uuid7",
]
