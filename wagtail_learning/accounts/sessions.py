"""Sessions read from the shared cache and written through to the database (Django's
`cached_db`), ended cache first.

Django's `cached_db` deletes a session from the database, then from the cache. If the
cache does not answer at that moment, the logout fails after the database row is gone,
and a cache that comes back with its data would still hold the session, logged in, until
it expires. Here the cache copy goes first: if the cache does not answer, nothing is
deleted and the logout fails as a whole (the person is still logged in everywhere, and
can try again); once the cache copy is gone, every process reads the session from the
database, where it is deleted next."""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.backends.db import SessionStore as DbStore


class SessionStore(CachedDbStore):
    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache.delete(self.cache_key_prefix + session_key)
        DbStore.delete(self, session_key)

    async def adelete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await self._cache.adelete(self.cache_key_prefix + session_key)
        await DbStore.adelete(self, session_key)
