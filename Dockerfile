# One image for all four services: docker build --build-arg SERVICE=profiling .
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY services services
RUN uv sync --locked --no-dev --no-editable

FROM python:3.11-slim
ARG SERVICE
ENV SERVICE=${SERVICE} PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1
COPY --from=build /app/.venv /app/.venv
USER 10001
CMD ["sh", "-c", "exec python -m \"$SERVICE\""]
