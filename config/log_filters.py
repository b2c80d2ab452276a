"""Logs without personal data (DESIGN.md: the anonymity guarantee; a log travels to people and systems the
database never does).

The product's own log lines carry ids only (report run 12, campaign 3). What other code may write — Django's
"Not Found: /calendar/<secret>.ics", a library quoting a user name or an e-mail address, an IP address of a
client — passes through `RedactPersonalData` on every handler: e-mail addresses, IPv4 and IPv6 addresses and the
calendar feed's secret tokens are replaced before a line is written. django-axes is told not to log user names
(AXES_VERBOSE off) and this filter is the second guard.
"""

import logging
import re

PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"), "[ip]"),
    # IPv6: with "::" or all eight groups, so that times (05:53:45) stay.
    (re.compile(r"(?<![\w:])(?=[0-9a-f:]*::|(?:[0-9a-f]{1,4}:){7})(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])",
                re.I), "[ip]"),
    (re.compile(r"(/calendar/)[^/\s\"']+(\.ics)"), r"\1[token]\2"),
]


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalData(logging.Filter):
    """Rewrites a record's message (arguments merged in) and its exception text without personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
