from __future__ import annotations

from django import forms

from core.forms import OfficeMessagesMixin


class PublishForm(OfficeMessagesMixin, forms.Form):
    reason = forms.CharField(
        label="发布或更正原因", max_length=300, required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, published_version: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The month's latest published version; re-publishing it is a correction and needs a reason.
        self.published_version = published_version
        if published_version:
            self.fields["reason"].required = True
            self.fields["reason"].label = "更正原因"
            self.fields["reason"].error_messages["required"] = (
                f"该月通报已发布第{published_version}版，重新发布须填写更正原因。"
            )

