from . import urls_builder, urls_campaigns, urls_results

app_name = "surveys"
urlpatterns = urls_builder.urlpatterns + urls_campaigns.urlpatterns + urls_results.urlpatterns
