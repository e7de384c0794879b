"""Template helpers of the severity guidance (BR-11): the suggestion for an incident and
the three possible outcomes with their explanation."""

from django import template

from breaches import severity_guidance

register = template.Library()


@register.simple_tag
def severity_suggestion(incident):
    """The suggestion and the factors that drove it, once the incident was assessed."""
    return severity_guidance.suggestion_for(incident)


@register.simple_tag
def severity_options():
    """The three outcomes in order: register only, notify the authority, inform the people."""
    return [
        {
            "code": code,
            "label": severity_guidance.OUTCOME_LABELS[code],
            "help": severity_guidance.OUTCOME_HELP[code],
        }
        for code in severity_guidance.OUTCOMES
    ]
