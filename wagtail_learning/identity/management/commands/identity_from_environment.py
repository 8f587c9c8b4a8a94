from django.core.management.base import BaseCommand

from wagtail_learning.identity.envconfig import sync_from_environment


class Command(BaseCommand):
    help = "Write the identity provider described by LMS_IDP_* environment variables."

    def handle(self, *args, **options):
        provider = sync_from_environment()
        if provider is None:
            self.stdout.write("No provider configured (LMS_IDP_SLUG and LMS_IDP_ORGANISATION).")
        else:
            self.stdout.write(f"Provider {provider.slug} for {provider.organisation}.")
