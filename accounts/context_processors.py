def roles(request):
    """What the navigation needs to know about the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from organization.selectors import departments_for_user

    if not hasattr(request, "_coordinated_departments"):
        request._coordinated_departments = list(departments_for_user(user).only("pk", "name"))
    return {
        "coordinated_departments": request._coordinated_departments,
        "is_mentor": hasattr(user, "mentor_profile"),
        "is_resident": hasattr(user, "resident_profile"),
    }
