from django.urls import path

from tongchou.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.index, name="index"),
    path("lots/", views.lot_list, name="lots"),
    path("lots/new/", views.lot_create, name="lot_create"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_create, name="order_create"),
    path("chains/<int:pk>/", views.board, name="board"),
    path("chains/<int:pk>/plan/", views.plan_create, name="plan_create"),
    path("chains/<int:pk>/report/", views.report, name="report"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("shipments/", views.shipment_list, name="shipments"),
    path("shipments/<int:pk>/confirm/", views.shipment_confirm, name="shipment_confirm"),
    path("shipments/<int:pk>/outcome/", views.shipment_outcome, name="shipment_outcome"),
    path("producers/", views.producer_list, name="producers"),
    path("producers/new/", views.producer_create, name="producer_create"),
    path("producers/<int:pk>/edit/", views.producer_edit, name="producer_edit"),
    path("buyers/", views.buyer_list, name="buyers"),
    path("buyers/new/", views.buyer_create, name="buyer_create"),
    path("buyers/<int:pk>/edit/", views.buyer_edit, name="buyer_edit"),
    path("outlets/", views.outlet_list, name="outlets"),
    path("outlets/new/", views.outlet_create, name="outlet_create"),
    path("outlets/<int:pk>/", views.outlet_detail, name="outlet_detail"),
    path("outlets/<int:pk>/edit/", views.outlet_edit, name="outlet_edit"),
    path("outlets/<int:pk>/sales/", views.outlet_sale_create, name="outlet_sale_create"),
    path("outlets/<int:pk>/sales/import/", views.outlet_sale_import, name="outlet_sale_import"),
    path(
        "outlets/<int:pk>/sales/import/confirm/",
        views.outlet_sale_import_confirm,
        name="outlet_sale_import_confirm",
    ),
    path(
        "outlets/<int:pk>/sales/template/",
        views.outlet_sale_template,
        name="outlet_sale_template",
    ),
    path("outlet-sales/<int:pk>/edit/", views.outlet_sale_edit, name="outlet_sale_edit"),
    path("reservations/", views.reservation_list, name="reservations"),
    path("reservations/new/", views.reservation_create, name="reservation_create"),
    path("reservations/<int:pk>/edit/", views.reservation_edit, name="reservation_edit"),
]
