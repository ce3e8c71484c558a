"""Our own password rules next to Django's (issue 10, 等保 level 2): at least three kinds of character, and the
minimum length in Chinese (Django's Chinese catalogue lacks that message)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import password_validation
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


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要 {self.min_length} 个字符。"
