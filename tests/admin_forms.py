"""Build the POST data a browser would send from an admin form page the test client rendered."""


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(getattr(item, "pk", item)) for item in value]
    return str(getattr(value, "pk", value))


def admin_form_data(response, **changes):
    """The admin form's current values (as rendered), plus the inline management forms, with ``changes``."""
    context = response.context
    data = {name: _plain(context["adminform"].form[name].value()) for name in context["adminform"].form.fields}
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = _plain(management[name].value())
        for form in formset.forms:
            for name in form.fields:
                data[form.add_prefix(name)] = _plain(form[name].value())
    data.update(changes)
    return {key: value for key, value in data.items() if value != "" or key in changes}
