"""Our own password rule next to Django's: at least three kinds of character (issue 10, 等保 level 2)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

CHARACTER_CLASSES: dict[str, Callable[[str], bool]] = {
    "大写字母": str.isupper,
    "小写字母": str.islower,
    "数字": str.isdigit,
    "符号": lambda c: not c.isalnum(),
}


class CharacterClassValidator:
    """At least `min_classes` of: upper case, lower case, digit, symbol."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        present = [name for name, test in CHARACTER_CLASSES.items() if any(test(c) for c in password)]
        if len(present) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 种。"
