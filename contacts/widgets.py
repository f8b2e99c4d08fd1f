"""Selects with hundreds or thousands of options (a province's communes, a
country's organisations), their options written in Python: Django renders
a template per option, which took 90 ms for 650 communes and most of a
page's time for 1,700 organisations."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

SELECTED = mark_safe(" selected")  # noqa: S308 (a constant)


class _Options(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    SELECTED if option["selected"] else "",
                    option["label"],
                )
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            options,
        )


class LongSelect(_Options, forms.Select):
    pass


class LongSelectMultiple(_Options, forms.SelectMultiple):
    pass
