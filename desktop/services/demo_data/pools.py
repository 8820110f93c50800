"""Small pools of Persian names, places and trades, built once per demo fill.

Faker('fa_IR') supplies the name and street lists (seeded, so a seed gives the same pools);
calling Faker per row would be far too slow for a million people, so rows combine pool items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from desktop.domain.text import normalise_text

# (city, area code of its landlines)
CITIES = (
    ("تهران", "021"), ("مشهد", "051"), ("اصفهان", "031"), ("شیراز", "071"), ("تبریز", "041"),
    ("کرج", "026"), ("اهواز", "061"), ("قم", "025"), ("کرمانشاه", "083"), ("رشت", "013"),
    ("ارومیه", "044"), ("زاهدان", "054"), ("همدان", "081"), ("کرمان", "034"), ("یزد", "035"),
    ("اردبیل", "045"), ("بندرعباس", "076"), ("اراک", "086"), ("زنجان", "024"), ("سنندج", "087"),
    ("قزوین", "028"), ("ساری", "011"), ("گرگان", "017"), ("خرم‌آباد", "066"), ("بوشهر", "077"),
)
TRADES = (
    "نانوایی", "تعمیرگاه", "فروشگاه", "کارگاه نجاری", "کارگاه خیاطی", "رستوران", "چاپخانه",
    "کارگاه تراشکاری", "داروخانه", "آرایشگاه", "کارگاه جوشکاری", "قنادی", "کارخانه بسته‌بندی",
    "انبار", "کارگاه سنگبری", "آموزشگاه", "کلینیک", "شرکت حمل‌ونقل",
)
COMPANY_WORDS = (
    "پارس", "البرز", "سپهر", "آریا", "کیمیا", "نوین", "پیشگامان", "صنایع", "فولاد", "نگین",
    "آفتاب", "مهر", "ایرانیان", "سازه", "پویا", "راهبرد", "دانش", "سپید", "زاگرس", "کاوه",
)
COMPANY_KINDS = ("شرکت سهامی خاص", "شرکت با مسئولیت محدود", "شرکت تعاونی", "شرکت سهامی عام")
JOBS = (
    "کارگر ساده", "کارگر ماهر", "راننده", "نگهبان", "حسابدار", "منشی", "تکنسین", "مهندس",
    "سرپرست", "انباردار", "آشپز", "فروشنده", "جوشکار", "برقکار", "نجار", "خیاط", "اپراتور",
    "کارمند اداری", "نظافتچی", "مکانیک",
)
STREET_KINDS = ("خیابان", "خیابان", "بلوار", "کوچه")
# Faker's lists are young people's names; parents and pensioners carry the classic ones.
CLASSIC_MALE = ("محمد", "علی", "حسین", "رضا", "مهدی", "حسن", "احمد", "عباس", "محمود", "جواد",
                "مصطفی", "غلامرضا", "اکبر", "ابراهیم", "یدالله", "قاسم", "مجید", "سعید")
CLASSIC_FEMALE = ("فاطمه", "زهرا", "مریم", "معصومه", "زینب", "سکینه", "طاهره", "اعظم", "فرشته",
                  "مهری", "پروین", "شهلا", "منیژه", "لیلا", "نرگس", "طیبه")
ALLEYS = ("اول", "دوم", "سوم", "چهارم", "پنجم", "ششم", "هفتم", "گلستان", "بهار", "نسترن", "لاله", "یاس")


@dataclass(frozen=True)
class Pools:
    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]


def _clean(names: Iterable[object]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for name in names:
        text = normalise_text(str(name))
        if text:
            seen[text] = None
    return tuple(seen)


def build_pools(seed: int) -> Pools:
    from faker import Faker

    fake = Faker("fa_IR")
    fake.seed_instance(seed)
    person = fake.provider("faker.providers.person")
    # Faker's fa_IR street names put the suffix after the name; streets here are "خیابان X".
    named = _clean(fake.last_name() for _ in range(60)) + _clean(fake.first_name() for _ in range(40))
    streets = _clean(f"{fake.random_element(STREET_KINDS)} {name}" for name in named)
    return Pools(
        male=_clean(CLASSIC_MALE + tuple(person.first_names_male)),
        female=_clean(CLASSIC_FEMALE + tuple(person.first_names_female)),
        last=_clean(person.last_names), streets=streets,
    )
