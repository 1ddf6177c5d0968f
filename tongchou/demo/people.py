"""Deterministic, realistic Party members: names, ID numbers (GB 11643), ages, admission dates.

One ``PersonGenerator`` with a fixed seed yields the same people in the same order on every run.
Values are plain Python (dates as ``date``); ``import_row`` turns one into the member import's
row format. The generator is fast enough for the benchmark's million rows (~10 µs a person).
"""

import datetime as dt
import random
from bisect import bisect
from itertools import accumulate

from tongchou.core.validators import id_check_char

# Ages are counted at a fixed reference date so that birth dates (and ID numbers) do not move
# from one day to the next; only probationary admissions are placed relative to today.
REFERENCE_DATE = dt.date(2026, 1, 1)


def _table(pairs):
    values = [v for v, _ in pairs]
    return values, list(accumulate(w for _, w in pairs))


def _pick(rng: random.Random, table) -> object:
    values, cum = table
    return values[bisect(cum, rng.random() * cum[-1])]


HAN_SURNAMES = _table(
    [
        (s, w)
        for s, w in zip(
            "王李张刘陈杨赵黄周吴徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
            "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
            "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
            "舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农"
            "司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
            "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝",
            [
                5.0,
                4.8,
                4.6,
                4.2,
                3.6,
                2.5,
                1.9,
                1.8,
                1.7,
                1.7,
                1.5,
                1.4,
                1.2,
                1.2,
                1.2,
                1.1,
                1.0,
                1.0,
                0.9,
                0.9,
                0.8,
                0.8,
                0.8,
                0.8,
                0.7,
                0.7,
                0.7,
                0.7,
                0.6,
                0.6,
                0.6,
                0.6,
                0.6,
                0.5,
                0.5,
                0.5,
                0.5,
                0.5,
                0.5,
                0.5,
                0.5,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
                0.4,
            ]
            + [0.3] * 40
            + [0.15] * 60
            + [0.06] * 200,
            strict=False,
        )
    ]
)
HUI_SURNAMES = _table(
    [
        ("马", 30),
        ("杨", 8),
        ("李", 6),
        ("丁", 5),
        ("海", 4),
        ("纳", 3),
        ("金", 3),
        ("白", 3),
        ("田", 3),
        ("王", 4),
        ("苏", 2),
        ("冯", 2),
        ("何", 2),
        ("锁", 1),
        ("撒", 1),
        ("哈", 1),
        ("拜", 1),
        ("虎", 1),
        ("沙", 1),
        ("穆", 2),
        ("黑", 1),
        ("兰", 1),
        ("韩", 2),
        ("张", 3),
        ("刘", 2),
        ("周", 1),
        ("洪", 1),
        ("冶", 1),
        ("者", 0.5),
        ("喇", 0.5),
    ]
)
MALE_CHARS = (
    "伟强军平刚勇杰磊涛明超斌辉鹏华建国志海东波林峰宁文俊成忠福贵学永春生龙彪武德兴胜庆荣宏利新亮"
    "飞浩宇博晨阳鑫子轩昊航泽凯瑞祥振良军兵光民安义仁有才存宝金山江河云彦斌鸿毅帅锋磊森旭继广春"
)
FEMALE_CHARS = (
    "芳娟敏静丽艳娜霞秀英华玲燕红梅兰凤琴萍洁婷雪慧瑞倩颖欣怡佳晓玉桂淑春月丹琳莉媛璐蕾薇彤妍雯"
    "丽娥花荣翠珍香秀萍莲芬蓉琼晶岚慧宁瑶涵悦梦"
)

# Age of members at the reference date, by band (about the shape of the Party's membership:
# a third over 60, a quarter 35 or under).
AGE_BANDS = _table(
    [
        ((18, 25), 5),
        ((26, 30), 8),
        ((31, 35), 10),
        ((36, 40), 10),
        ((41, 45), 9),
        ((46, 50), 9),
        ((51, 55), 10),
        ((56, 60), 9),
        ((61, 65), 9),
        ((66, 70), 8),
        ((71, 75), 6),
        ((76, 80), 4),
        ((81, 85), 2),
        ((86, 95), 1),
    ]
)
OTHER_ETHNICITIES = _table([("11", 4), ("02", 3), ("26", 1), ("30", 1), ("06", 1), ("08", 1)])

EDUCATION = {
    ("urban", 0): _table(
        [
            ("postgraduate", 8),
            ("bachelor", 45),
            ("junior_college", 25),
            ("high_school", 9),
            ("secondary_vocational", 8),
            ("junior_high", 5),
        ]
    ),
    ("urban", 1): _table(
        [
            ("postgraduate", 3),
            ("bachelor", 25),
            ("junior_college", 25),
            ("secondary_vocational", 12),
            ("high_school", 20),
            ("junior_high", 15),
        ]
    ),
    ("urban", 2): _table(
        [
            ("bachelor", 8),
            ("junior_college", 12),
            ("secondary_vocational", 15),
            ("high_school", 30),
            ("junior_high", 25),
            ("primary", 10),
        ]
    ),
    ("rural", 0): _table(
        [
            ("bachelor", 15),
            ("junior_college", 20),
            ("secondary_vocational", 12),
            ("high_school", 20),
            ("junior_high", 30),
            ("primary", 3),
        ]
    ),
    ("rural", 1): _table(
        [
            ("bachelor", 3),
            ("junior_college", 7),
            ("secondary_vocational", 8),
            ("high_school", 25),
            ("junior_high", 45),
            ("primary", 12),
        ]
    ),
    ("rural", 2): _table([("high_school", 10), ("junior_high", 40), ("primary", 50)]),
}
OCCUPATIONS = {
    ("urban", 0): _table(
        [
            ("企业职工", 30),
            ("社区工作者", 8),
            ("个体工商户", 10),
            ("专业技术人员", 18),
            ("机关事业单位工作人员", 14),
            ("自由职业者", 6),
            ("学生", 4),
            ("灵活就业人员", 10),
        ]
    ),
    ("urban", 1): _table(
        [
            ("企业职工", 35),
            ("社区工作者", 8),
            ("个体工商户", 15),
            ("专业技术人员", 14),
            ("机关事业单位工作人员", 16),
            ("灵活就业人员", 12),
        ]
    ),
    ("urban", 2): _table([("离退休人员", 1)]),
    ("rural", 0): _table(
        [
            ("农民", 35),
            ("外出务工人员", 25),
            ("村干部", 6),
            ("个体工商户", 10),
            ("农民专业合作社成员", 8),
            ("乡村医生", 2),
            ("大学生村官", 2),
            ("灵活就业人员", 12),
        ]
    ),
    ("rural", 1): _table(
        [
            ("农民", 55),
            ("外出务工人员", 15),
            ("村干部", 8),
            ("个体工商户", 10),
            ("农民专业合作社成员", 12),
        ]
    ),
    ("rural", 2): _table([("农民", 85), ("离退休人员", 15)]),
}
SECTOR_OCCUPATIONS = {
    "courier": "快递员",
    "ride_hailing": "网约车司机",
    "delivery": "外卖骑手",
    "freight": "货车司机",
}
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "198",
    "199",
]


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def id_number(prefix: str, birth: dt.date, order: int) -> str:
    """An 18-character ID number: 6-digit region, birth date, 3-digit order code (odd for men),
    GB 11643 check character."""
    first17 = f"{prefix}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


class PersonGenerator:
    """Realistic members, reproducible from ``seed``.

    ``hui_share`` is the share of Hui members (about 30 % in Ningxia's Party membership of the
    demo; a few per cent elsewhere), ``male_share`` about 70 % as in the Party as a whole.
    """

    def __init__(
        self,
        seed: int = 2024,
        *,
        today: dt.date | None = None,
        hui_share: float = 0.30,
        male_share: float = 0.70,
        probationary_share: float = 0.03,
    ):
        self.rng = random.Random(seed)
        self.today = today or dt.date.today()
        self.reference = min(REFERENCE_DATE, self.today)
        self.hui_share = hui_share
        self.male_share = male_share
        self.probationary_share = probationary_share
        self._taken: set[int] = set()

    # -- pieces -------------------------------------------------------------------------------
    def name(self, gender: str, ethnicity: str) -> str:
        rng = self.rng
        surname = _pick(rng, HUI_SURNAMES if ethnicity == "03" else HAN_SURNAMES)
        chars = MALE_CHARS if gender == "M" else FEMALE_CHARS
        given = rng.choice(chars)
        if rng.random() < 0.72:
            given += rng.choice(chars)
        return surname + given

    def phone(self) -> str:
        rng = self.rng
        return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"

    def unique_id_number(self, prefix: str, birth: dt.date, gender: str) -> str:
        rng = self.rng
        base = int(f"{prefix}{birth:%Y%m%d}") * 1000
        odd = 1 if gender == "M" else 0
        while True:
            order = rng.randrange(500) * 2 + odd
            key = base + order
            if key not in self._taken:
                self._taken.add(key)
                return id_number(prefix, birth, order)

    def reserve(self, number: str) -> None:
        """Mark an ID number already in use (e.g. by an earlier run) so it is not generated."""
        self._taken.add(int(number[:17]))

    # -- a person -----------------------------------------------------------------------------
    def person(
        self,
        *,
        county_code: str,
        urban_rural: str,
        org_code: str = "",
        home_region_code: str = "",
        sector: str = "",
        young: bool = False,
    ) -> dict:
        """One member's values, keyed like the member import's columns."""
        rng = self.rng
        low, high = _pick(rng, AGE_BANDS)
        if young:  # new employment groups: couriers and drivers are mostly 22-45
            low, high = 22, 45
        age = rng.randint(low, high)
        birth = add_years(self.reference, -age) - dt.timedelta(days=rng.randrange(365))
        male = rng.random() < self.male_share or (sector and rng.random() < 0.7)
        gender = "M" if male else "F"
        roll = rng.random()
        if roll < self.hui_share:
            ethnicity = "03"
        elif roll > 0.985:
            ethnicity = _pick(rng, OTHER_ETHNICITIES)
        else:
            ethnicity = "01"
        band = 0 if age <= 40 else 1 if age <= 60 else 2
        urban = "urban" if urban_rural == "urban" else "rural"
        occupation = SECTOR_OCCUPATIONS.get(sector) or _pick(rng, OCCUPATIONS[(urban, band)])

        if age < 19 or (age <= 40 and rng.random() < self.probationary_share * 3.3):
            category = "probationary"
            admitted = self.today - dt.timedelta(days=rng.randint(20, 350))
            admitted = min(max(admitted, add_years(birth, 18)), self.today)
            full_on = None
        else:
            category = "full"
            # Most people join between 20 and 35; some later (veterans, village cadres).
            span = age - 19  # the probation year must be over by the reference date
            offset = min(span, int(rng.triangular(0, min(span, 40), 5)))
            admitted = add_years(birth, 18 + offset) + dt.timedelta(days=rng.randrange(300))
            latest = add_years(self.reference, -1)
            if admitted > latest:
                admitted = max(latest - dt.timedelta(days=rng.randrange(60)), add_years(birth, 18))
            full_on = add_years(admitted, 1)

        # Everyone imports as 正常: 流动/失联 follow from mobility records (the demo's mobile
        # members come from mobility.demo) and the import refuses them. The draw is kept so
        # every other generated value stays what it was.
        rng.random()
        status = "normal"
        phone = "" if (age > 75 and rng.random() < 0.3) else self.phone()
        return {
            "name": self.name(gender, ethnicity),
            "gender": gender,
            "ethnicity": ethnicity,
            "birth_date": birth,
            "id_number": self.unique_id_number(county_code, birth, gender),
            "phone": phone,
            "education": _pick(rng, EDUCATION[(urban, band)]),
            "occupation": occupation,
            "category": category,
            "admission_date": admitted,
            "full_member_date": full_on,
            "org_code": org_code,
            "status": status,
            "home_region_code": home_region_code,
        }


def import_row(values: dict) -> dict[str, str]:
    """One person as the member import reads a row: every value as text, dates ISO."""
    row = {}
    for key, value in values.items():
        if value is None:
            row[key] = ""
        elif isinstance(value, dt.date):
            row[key] = value.isoformat()
        else:
            row[key] = value
    return row
