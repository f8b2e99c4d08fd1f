"""The incidents app's endpoints of /api/v1/ (incidents.urls_api): the
organisation's incidents and their timelines, its duty roster, and its
scheduled status reports.

Views are thin, as the pages' are: the scoping querysets and permission
checks of incidents.permissions, one service call, and serializers that
check only the shape of what was sent (the services check the rules and
raise Django's ValidationError, which contacts.api.errors answers with).
"""
