"""Access-matrix rows for the meetings pages (merged into tests/test_access_matrix.py).

name -> (kwargs factory over the world fixture, expected statuses for
(anonymous, resident, mentor, coordinator, other_coordinator)).
`world(base)` adds this part's objects to the world fixture; `base` holds department, mentor, resident,
assignment (the resident under the mentor in the clinical programme), coordinator and the users.

Meetings, absences and the calendar page are for people with a mentor or a resident profile (the coordinator of
the matrix is neither: 404); a meeting for its participants only. The feed itself needs no log-in: its secret
token is the key.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

LOGIN = 302
MINE = (LOGIN, 200, 200, 404, 404)
POST_ONLY = (LOGIN, 405, 405, 405, 405)


def _meeting(o):
    return {"pk": o["meeting"].pk}


ROWS = {
    "mentoring:meeting_list": (lambda o: {}, MINE),
    "mentoring:meeting_new": (lambda o: {}, MINE),
    "mentoring:meeting_detail": (_meeting, MINE),
    "mentoring:meeting_respond": (_meeting, POST_ONLY),
    "mentoring:meeting_cancel": (_meeting, POST_ONLY),
    "mentoring:meeting_note_add": (_meeting, POST_ONLY),
    "mentoring:absence_list": (lambda o: {}, MINE),
    "mentoring:absence_delete": (lambda o: {"pk": o["absence"].pk}, POST_ONLY),
    "mentoring:calendar_feed": (lambda o: {}, MINE),
    "mentoring:calendar_feed_reset": (lambda o: {}, POST_ONLY),
    "mentoring:calendar_feed_revoke": (lambda o: {}, POST_ONLY),
    "mentoring:calendar_feed_ics": (lambda o: {"token": o["feed_token"]}, (200, 200, 200, 200, 200)),
}


def world(base):
    from mentoring.calendar_feed import feed_for
    from mentoring.meetings import absence_record, meeting_propose

    mentor_user, resident_user = base["mentor"].user, base["resident"].user
    starts_at = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=7), time(14, 0)))
    meeting = meeting_propose(proposer=mentor_user, programme=base["assignment"].programme,
                              invitees=[resident_user], format="one_to_one", starts_at=starts_at,
                              ends_at=starts_at + timedelta(hours=1), place="Seminar room 2",
                              agenda="Progress with the EPA for neonatal resuscitation.")
    start = timezone.localdate() + timedelta(days=30)
    absence = absence_record(user=resident_user, kind="study", starts_on=start, ends_on=start + timedelta(days=2))
    return {"meeting": meeting, "absence": absence, "feed_token": feed_for(resident_user).token}
