"""The codes of CLI.md with their Persian titles. The store keeps them as reference data too."""

from __future__ import annotations

GENDERS = {"male": "مرد", "female": "زن"}
HONORIFIC = {"male": "آقای", "female": "خانم"}

MAIN_KINDS = {
    "mandatory": "بیمه‌شده اجباری (کارگاه)",
    "voluntary": "بیمه اختیاری",
    "self_employed": "بیمه مشاغل آزاد",
    "driver": "بیمه رانندگان",
    "carpet_weaver": "بیمه قالیبافان",
    "construction_worker": "بیمه کارگران ساختمانی",
    "military_service": "سربازی",
    "short_term": "بیمه کوتاه‌مدت",
    "pensioner_retired": "مستمری‌بگیر بازنشستگی",
    "pensioner_disabled": "مستمری‌بگیر ازکارافتادگی",
    "pensioner_survivor": "مستمری‌بگیر بازماندگان",
}
ORIENTATIONS = {"housewife": "خانه‌دار", "student": "دانشجو", "other": "سایر"}

RELATIONS = {
    "wife": "همسر (زن)",
    "husband": "همسر (شوهر)",
    "daughter": "دختر",
    "son": "پسر",
    "father": "پدر",
    "mother": "مادر",
    "adopted_child": "فرزندخوانده",
    "soldier_family": "خانواده سرباز",
}
EMPLOYER_KINDS = {"employer_natural": "کارفرمای حقیقی", "employer_legal": "کارفرمای حقوقی"}

# Relationship types as data (SPEC §1.4): code → (category, Persian title).
RELATIONSHIP_TYPES: dict[str, tuple[str, str]] = {
    **{k: ("main", v) for k, v in MAIN_KINDS.items()},
    **{k: ("dependant", v) for k, v in RELATIONS.items()},
    **{k: ("employer", v) for k, v in EMPLOYER_KINDS.items()},
}
CATEGORY_TITLES = {"main": "اصلی", "dependant": "تبعی", "employer": "کارفرما"}

PAPER_KINDS = {
    "questionnaire": "پرسشنامه نامنویسی",
    "photo": "عکس",
    "marriage_certificate": "صفحه دوم عقدنامه",
    "commitment_form": "تعهدنامه (دختر بالای ۱۸ سال)",
    "university_enrolment": "گواهی اشتغال به تحصیل دانشگاه",
    "disability_certificate": "گواهی ازکارافتادگی کلی",
    "inspector_report": "گزارش بازرس",
    "court_order_trial": "حکم سرپرستی آزمایشی دادگاه",
    "court_order_final": "حکم سرپرستی دائم دادگاه",
    "welfare_letter": "نامه سازمان بهزیستی",
    "service_booklet": "دفترچه آماده به خدمت",
    "service_certificate": "گواهی اشتغال به خدمت سربازی",
    "residence_permit": "پروانه اقامت",
    "work_permit": "پروانه کار",
    "correction_form": "فرم درخواست اصلاح",
}
AUTHORITY_GROUPS = {"fund": "صندوق‌های بیمه‌ای، حمایتی و امدادی", "judicial": "مراجع قضایی و شبه‌قضایی"}
INQUIRY_STATES = ("not_found", "not_active", "in_period", "active")
NUMBER_KINDS = {
    "ssn": "شماره تامین اجتماعی",
    "permanent": "شماره بیمه دائم",
    "branch_temporary": "شماره موقت شعبه",
    "central_temporary": "شماره موقت متمرکز",
}
EDUCATION = {"none": "بی‌سواد", "primary": "ابتدایی", "diploma": "دیپلم", "bachelor": "کارشناسی", "master": "کارشناسی ارشد", "doctorate": "دکتری"}
MARITAL = {"single": "مجرد", "married": "متاهل", "divorced": "مطلقه", "widowed": "همسر فوت‌شده"}
MILITARY = {"done": "پایان خدمت", "exempt": "معاف", "serving": "در حال خدمت", "not_applicable": "مشمول نیست"}
BLOOD_GROUPS = ("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")
