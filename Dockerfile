# esmlint as a container image: `docker run --rm -v "$PWD:/src" IMAGE check .`
#
# Slim Python, esmlint installed from this checkout (so the image is the version of the
# commit it is built from), a non-root user, /src as the working directory (mount the
# repository there) and esmlint as the entry point: arguments are esmlint's.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

LABEL org.opencontainers.image.title="esmlint" \
      org.opencontainers.image.description="A static linter for how AWS Lambda functions get invoked" \
      org.opencontainers.image.source="https://github.com/esmlint/esmlint" \
      org.opencontainers.image.documentation="https://esmlint.github.io/esmlint/" \
      org.opencontainers.image.licenses="Apache-2.0"

COPY . /tmp/esmlint
RUN pip install "/tmp/esmlint[lsp]" && rm -rf /tmp/esmlint \
    && useradd --create-home --uid 10001 --user-group esmlint

USER 10001:10001
WORKDIR /src
ENTRYPOINT ["esmlint"]
CMD ["check", "."]
