from django.urls import path

from readiness.views import dashboard, home, oversight, plans, report

app_name = "readiness"
urlpatterns = [
    path("directives/<id:pk>/", home.directive_detail, name="directive_detail"),
    # Readiness plans and district reports (P1, P2, T1–T3, D1).
    path("plans/", plans.index, name="plan_index"),
    path("plans/<id:pk>/", plans.detail, name="plan_detail"),
    path("plans/<id:pk>/submit/", plans.submit, name="plan_submit"),
    path("plans/<id:pk>/changes/", plans.changes, name="plan_changes"),
    path("sections/<id:pk>/edit/", plans.section_edit, name="section_edit"),
    path(
        "sections/<id:pk>/attachments/",
        plans.attachment_upload,
        name="attachment_upload",
    ),
    path("attachments/<id:pk>/", plans.attachment_download, name="attachment_download"),
    path(
        "attachments/<id:pk>/remove/",
        plans.attachment_remove,
        name="attachment_remove",
    ),
    path("reviews/<id:pk>/accept/", plans.review_accept, name="review_accept"),
    path("reviews/<id:pk>/return/", plans.review_return, name="review_return"),
    # The Department's oversight.
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("compliance/", oversight.matrix, name="matrix"),
    path("review-queue/", oversight.queue, name="queue"),
    # Saying who is reviewing an item of the queue (a contact list's
    # version, a plan's section).
    path(
        "review-queue/versions/<id:pk>/claim/",
        oversight.version_claim,
        name="version_claim",
    ),
    path(
        "review-queue/versions/<id:pk>/release/",
        oversight.version_release,
        name="version_release",
    ),
    path(
        "review-queue/reviews/<id:pk>/claim/",
        oversight.review_claim,
        name="review_claim",
    ),
    path(
        "review-queue/reviews/<id:pk>/release/",
        oversight.review_release,
        name="review_release",
    ),
    path("deadlines/", oversight.deadlines, name="deadlines"),
    path("deadlines/<id:pk>/move/", oversight.deadline_move, name="deadline_move"),
    path("deadlines/extensions/", oversight.extension_grant, name="extension_grant"),
    path(
        "deadlines/<id:pk>/revoke/",
        oversight.extension_revoke,
        name="extension_revoke",
    ),
    # The report for the provincial Election Committee.
    path("report/", report.page, name="report"),
    path("report/report.pdf", report.report_pdf, name="report_pdf"),
    path("report/report.xlsx", report.report_xlsx, name="report_xlsx"),
]
