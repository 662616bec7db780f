from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """French by default; English only when the user picks it with the language switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language header, so most visitors
    with an English-language browser would never see the French interface the platform is made for.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            # Programs calling the API say their language in Accept-Language (the API's errors follow it).
            if request.path_info.startswith("/api/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
