"""Rasa's action endpoint, riding out an action server's restart: a turn waits, it is not lost.

Rasa 3.6 calls the action server once: a refused connection fails the action and the turn is
answered with nothing. Here a call that no action server took is tried again, with back-off,
for ``ACTION_RETRY_SECONDS`` (10 by default), so an action server killed and brought back by its
supervisor costs the trainee a pause. Rasa reads ``action_endpoint`` as a plain
`EndpointConfig` (the endpoints file has no ``type:`` for it), so the launcher
(`bot.server.rasa_server`) calls `use_retrying_action_endpoint` before Rasa starts.

Repeating a call is safe: an action's answer depends only on the tracker Rasa sends with it,
and Rasa applies the events of the one answer it gets. Only calls that got no answer are
repeated: a refused or dropped connection, or a balancer's 502/503 (no server took it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_RETRY_SECONDS = 10.0
#: What a balancer (nginx) answers when it found no server to take the call.
NO_SERVER_STATUSES = frozenset({502, 503})


def _no_server_took_it(error: Exception) -> bool:
    if isinstance(error, ClientResponseError):
        return error.status in NO_SERVER_STATUSES
    return isinstance(error, aiohttp.ClientConnectionError)


class RetryingActionEndpoint(EndpointConfig):
    """An `EndpointConfig` whose requests are repeated while no action server takes them.

    Args:
        retry_seconds: how long to keep trying; 0 tries once, as Rasa does.
        **kwargs: as for `EndpointConfig`.
    """

    def __init__(self, retry_seconds: float = DEFAULT_RETRY_SECONDS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_seconds = retry_seconds

    @classmethod
    def wrapping(cls, config: EndpointConfig, retry_seconds: float) -> RetryingActionEndpoint:
        """The same endpoint as ``config``, retrying."""
        return cls(
            retry_seconds,
            url=config.url,
            params=config.params,
            headers=config.headers,
            basic_auth=config.basic_auth,
            token=config.token,
            token_name=config.token_name,
            cafile=config.cafile,
            **config.kwargs,
        )

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        """`EndpointConfig.request`, repeated with back-off while no server takes the call."""
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.2
        while True:
            try:
                # The parent pops "headers" and "params" from kwargs: give it a fresh copy.
                return await super().request(*args, **dict(kwargs))
            except (aiohttp.ClientConnectionError, ClientResponseError) as error:
                if not _no_server_took_it(error) or time.monotonic() + delay > deadline:
                    raise
                logger.warning("no action server took the call (%s); trying again", error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


def use_retrying_action_endpoint(retry_seconds: float) -> None:
    """Makes Rasa read its ``action_endpoint`` as a `RetryingActionEndpoint`."""
    read = AvailableEndpoints.read_endpoints.__func__
    if getattr(read, "retrying", False):
        return

    def read_endpoints(cls: type[AvailableEndpoints], endpoint_file: str) -> AvailableEndpoints:
        endpoints = read(cls, endpoint_file)
        if endpoints.action is not None:
            endpoints.action = RetryingActionEndpoint.wrapping(endpoints.action, retry_seconds)
        return endpoints

    read_endpoints.retrying = True  # type: ignore[attr-defined]
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)


def check_answers_with_one_validator() -> None:
    """Makes Rasa check action server answers with a schema validator built once.

    Rasa checks every answer with ``jsonschema.validate``, which first checks the schema itself
    against its metaschema: a tenth of the Rasa server's time per turn (py-spy, under load).
    Valid answers pass on the prebuilt validator; an invalid one goes to Rasa's own check,
    which raises its usual error.
    """
    original = RemoteAction._validate_action_result
    if getattr(original, "one_validator", False):
        return
    schema = RemoteAction.action_response_format_spec()
    kind = validators.validator_for(schema)
    kind.check_schema(schema)
    validator = kind(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        return validator.is_valid(result) or original(self, result)

    validate_action_result.one_validator = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result
