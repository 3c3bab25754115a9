"""The links between the four services, and how the signed-in user's role reads on a page."""

from __future__ import annotations

from dataclasses import dataclass

from shared.actor import ROLE_LABELS_ZH
from shared.settings import SERVICE_NAMES, KernelSettings


@dataclass(frozen=True)
class NavLink:
    """One entry of the service navigation; `url` is absolute as services run on other ports."""

    key: str
    label_zh: str
    url: str
    label_en: str | None = None

    def label(self, locale: str) -> str:
        """The label in the page language (English falls back to the key)."""
        if locale == "en":
            return self.label_en or self.key.replace("_", " ").capitalize()
        return self.label_zh


SERVICE_LABELS: dict[str, tuple[str, str]] = {
    "intake": ("项目受理", "Project intake"),
    "construction": ("施工监管", "Construction supervision"),
    "complaints": ("投诉处理", "Complaints"),
    "acceptance": ("竣工验收", "Completion acceptance"),
}


def service_nav(settings: KernelSettings) -> list[NavLink]:
    """The four services in their usual order, linked at the base URLs the settings give."""
    return [
        NavLink(
            key=name,
            label_zh=SERVICE_LABELS[name][0],
            label_en=SERVICE_LABELS[name][1],
            url=settings.service_url(name).rstrip("/") + "/",
        )
        for name in SERVICE_NAMES
    ]


def role_label(role: str, locale: str) -> str:
    """A role as a person reads it: the zh-CN label of shared.actor, or plain words in English."""
    if locale == "en":
        return role.replace("_", " ").capitalize()
    return ROLE_LABELS_ZH.get(role, role)
