from rest_framework.routers import SimpleRouter

from tongchou.linkage import api

router = SimpleRouter()
router.register("linkage/products", api.ProductViewSet, basename="api-linkage-product")
router.register("linkage/producers", api.ProducerViewSet, basename="api-linkage-producer")
router.register("linkage/lots", api.LotViewSet, basename="api-linkage-lot")
router.register("linkage/buyers", api.BuyerViewSet, basename="api-linkage-buyer")
router.register("linkage/orders", api.OrderViewSet, basename="api-linkage-order")
router.register("linkage/plans", api.PlanViewSet, basename="api-linkage-plan")
router.register("linkage/shipments", api.ShipmentViewSet, basename="api-linkage-shipment")
router.register("linkage/reservations", api.ReservationViewSet, basename="api-linkage-reservation")
router.register("linkage/outlets", api.OutletViewSet, basename="api-linkage-outlet")
router.register("linkage/outlet-sales", api.OutletSaleViewSet, basename="api-linkage-outlet-sale")
router.register("linkage/chains", api.ChainViewSet, basename="api-linkage-chain")

urlpatterns = router.urls
