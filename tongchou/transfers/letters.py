"""The introduction letter (中国共产党党员组织关系介绍信): its wording, shared by the printable
page and the PDF.

The standard letter is one sheet in three parts, cut apart along dashed lines:

* 存根 (stub): kept by the issuing organization — serial, member, from → to, dues, dates;
* 介绍信 (the letter): carried to the receiving organization — the member's gender, age,
  ethnicity, category and ID number, from → to, the month the dues are paid up to, validity,
  the issuing organization (seal), date, the member's and the issuer's phones;
* 回执 (receipt): filled in and returned by the receiving organization.

It is an official document in Chinese: it is always worded in Chinese, whatever language the
person printing it uses. Who sees the ID number and phone in full is the services' decision
(``services.transfer_letter_print``, audited); this module only words what it is given.

Every value that reaches the PDF is escaped before it enters reportlab's paragraph markup (a
name, a destination typed by a member): a ``<b>``, a link or an ``<img src=…>`` in one prints
as those characters, never as formatting, a link or a file read from the server's disk. The PDF
embeds its font (WenQuanYi Micro Hei, vendored in ``fonts/``; reportlab subsets it), so it
prints the same on any machine and needs nothing from the network.
"""

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _

from tongchou.members.services import age_on
from tongchou.transfers.models import Transfer, TransferState

LETTER_LANGUAGE = "zh-hans"
FONT_NAME = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
BLANK_DATE = "　　年　　月　　日"


@dataclass(frozen=True)
class Letter:
    serial: str
    member_name: str
    addressee: str  # the receiving organization
    body: str
    dues: str
    validity: str
    member_phone: str
    issuer: str
    issuer_phone: str
    issued: str
    stub_body: str
    stub_dates: str
    receipt_addressee: str  # the issuing organization, to whom the receipt goes back
    receipt_body: str
    state_note: str
    full_personal_data: bool  # ID number and phone shown in full


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _month(day) -> str:
    return f"{day.year}年{day.month}月" if day else "　　年　　月"


def letter_for(transfer: Transfer, *, full_personal_data: bool = False) -> Letter:
    """The letter's text, in Chinese. ``full_personal_data``: print the member's ID number and
    phone unmasked (the caller decided the reader may see them, and audits it)."""
    with translation.override(LETTER_LANGUAGE):
        return _letter_for(transfer, full_personal_data)


def _letter_for(transfer: Transfer, full: bool) -> Letter:
    member = transfer.member
    name = transfer.member_name
    if member is not None:
        gender = str(member.get_gender_display())
        age = age_on(member.birth_date, transfer.letter_issued_on)
        ethnicity = str(member.get_ethnicity_display())
        category = str(member.get_category_display())
        id_number = member.id_number if full else member.id_number_masked
        phone = (member.phone if full else member.phone_masked) or "—"
    else:  # pragma: no cover - letters are issued for members of this deployment
        gender = ethnicity = category = id_number = "—"
        age, phone = "—", "—"
    route = {"from": transfer.from_label, "to": transfer.to_label}
    body = _(
        "%(name)s同志（%(gender)s），%(age)s岁，%(ethnicity)s，系中共%(category)s，"
        "身份证号码%(id)s，由%(from)s去%(to)s，请转接组织关系。"
    ) % {
        "name": name,
        "gender": gender,
        "age": age,
        "ethnicity": ethnicity,
        "category": category,
        "id": id_number,
        **route,
    }
    dues = _("该同志党费已交到%(month)s。") % {"month": _month(transfer.dues_paid_to)}
    days = (transfer.letter_valid_until - transfer.letter_issued_on).days
    validity = _("（有效期%(days)s天，至%(until)s）") % {
        "days": days,
        "until": _date(transfer.letter_valid_until),
    }
    stub_body = _(
        "%(name)s同志系中共%(category)s，组织关系由%(from)s转到%(to)s。党费交到%(month)s。"
    ) % {"name": name, "category": category, "month": _month(transfer.dues_paid_to), **route}
    stub_dates = _("开具日期：%(issued)s；有效期至%(until)s。") % {
        "issued": _date(transfer.letter_issued_on),
        "until": _date(transfer.letter_valid_until),
    }
    receipt_body = _("你处介绍的%(name)s同志的党员组织关系已转达我处，特此回复。") % {"name": name}
    state_note = ""
    if transfer.state in (TransferState.RETURNED, TransferState.CANCELLED):
        state_note = _("本介绍信所涉转接%(state)s，介绍信作废。") % {
            "state": transfer.get_state_display()
        }
    elif transfer.is_overdue:
        state_note = _("本介绍信已超过有效期。")
    issuer = transfer.letter_issuer_label
    return Letter(
        serial=transfer.letter_number,
        member_name=name,
        addressee=f"{transfer.to_label}：",
        body=body,
        dues=dues,
        validity=validity,
        member_phone=phone,
        issuer=issuer,
        issuer_phone=transfer.issuer_phone or "—",
        issued=_date(transfer.letter_issued_on),
        stub_body=stub_body,
        stub_dates=stub_dates,
        receipt_addressee=f"{issuer}：",
        receipt_body=receipt_body,
        state_note=state_note,
        full_personal_data=full,
    )


# --------------------------------------------------------------------------------------------
# PDF


@cache
def _register_font() -> str:
    """Register the vendored TrueType CJK font once per process (reportlab embeds a subset of
    it in each PDF: a ``FontFile2`` stream)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_FILE), subfontIndex=0))
    return FONT_NAME


def _styles():
    from reportlab.lib.styles import ParagraphStyle

    font = _register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=12, leading=21, wordWrap="CJK")
    return {
        "base": base,
        "body": ParagraphStyle("body", parent=base, firstLineIndent=24),
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=28, alignment=1),
        "part": ParagraphStyle("part", parent=base, fontSize=14, leading=22, alignment=1),
        "serial": ParagraphStyle("serial", parent=base, fontSize=10, leading=16, alignment=2),
        "right": ParagraphStyle("right", parent=base, alignment=2),
        "small": ParagraphStyle("small", parent=base, fontSize=9.5, leading=15),
        "cut": ParagraphStyle(
            "cut", parent=base, fontSize=8, leading=12, alignment=1, textColor="#666666"
        ),
    }


def _p(text: str, style):
    """A paragraph of plain text: every character printed as itself (escaped for reportlab's
    markup, which would otherwise read tags, entities and ``<img src>`` in it)."""
    from reportlab.platypus import Paragraph

    return Paragraph(escape(str(text)), style)


def _cut_line(styles, label: str) -> list:
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Spacer

    return [
        Spacer(1, 3 * mm),
        HRFlowable(width="100%", thickness=0.6, dash=(3, 3), color="#888888"),
        _p(label, styles["cut"]),
        Spacer(1, 2 * mm),
    ]


def letter_pdf(letter: Letter) -> bytes:
    """The three-part letter as an A4 PDF with its font embedded."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    with translation.override(LETTER_LANGUAGE):
        styles = _styles()
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=22 * mm,
            rightMargin=22 * mm,
            topMargin=14 * mm,
            bottomMargin=12 * mm,
            title=str(_("中国共产党党员组织关系介绍信")),
            invariant=1,
            # Each page would start in the canvas's default font (Helvetica, never embedded):
            # start it in ours, so every font the letter names travels inside it.
            initialFontName=FONT_NAME,
        )
        seal = str(_("（盖章）"))
        story = [
            _p(_("中国共产党党员组织关系介绍信（存根）"), styles["part"]),
            _p(_("第%(serial)s") % {"serial": letter.serial}, styles["serial"]),
            _p(letter.stub_body, styles["body"]),
            _p(letter.stub_dates, styles["body"]),
            *_cut_line(styles, _("（沿此线剪开：以上存根由开具党组织留存）")),
            _p(_("中国共产党党员组织关系介绍信"), styles["title"]),
            _p(_("第%(serial)s") % {"serial": letter.serial}, styles["serial"]),
            _p(letter.addressee, styles["base"]),
            _p(letter.body, styles["body"]),
            _p(letter.dues, styles["body"]),
            _p(letter.validity, styles["body"]),
            Spacer(1, 6 * mm),
            _p(seal, styles["right"]),
            _p(letter.issuer, styles["right"]),
            _p(letter.issued, styles["right"]),
            Spacer(1, 3 * mm),
            _p(f"{_('党员联系电话')}：{letter.member_phone}", styles["small"]),
            _p(
                f"{_('开具介绍信党组织')}：{letter.issuer}　{_('联系电话')}：{letter.issuer_phone}",
                styles["small"],
            ),
            *_cut_line(styles, _("（沿此线剪开：以下回执由接收党组织填写后寄回）")),
            _p(_("中国共产党党员组织关系介绍信回执"), styles["part"]),
            _p(_("第%(serial)s") % {"serial": letter.serial}, styles["serial"]),
            _p(letter.receipt_addressee, styles["base"]),
            _p(letter.receipt_body, styles["body"]),
            Spacer(1, 4 * mm),
            _p(_("接收党组织（盖章）"), styles["right"]),
            _p(BLANK_DATE, styles["right"]),
        ]
        if letter.state_note:
            story += [Spacer(1, 4 * mm), _p(letter.state_note, styles["small"])]
        doc.build(story)
    return out.getvalue()
