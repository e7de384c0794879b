"""Pages of the access review (ISO 27001 A.5.18)."""

from django.urls import path

from access.views import reviews as views

urlpatterns = [
    path("access/reviews/", views.review_list, name="review_list"),
    path("access/reviews/open/", views.review_open_now, name="review_open"),
    path("access/reviews/not-in-time/", views.review_overdue, name="review_overdue"),
    path("access/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path(
        "access/reviews/<int:pk>/confirm-mine/",
        views.review_confirm_mine,
        name="review_confirm_mine",
    ),
    path(
        "access/reviews/items/<int:pk>/decide/", views.item_decide_page, name="review_item_decide"
    ),
    path("portal/access/reviews/", views.portal_review_items, name="portal_review_items"),
    path(
        "portal/access/reviews/items/<int:pk>/decide/",
        views.portal_item_decide,
        name="portal_review_item_decide",
    ),
]
