"""The one settings module of Gongkai, driven by GONGKAI_* environment variables.

Profiles (GONGKAI_ENV): ``development`` (the default and the demo), ``test`` (set by the test runner) and
``production`` (every secret required, HTTPS hardening on; passes ``manage.py check --deploy``).
See docs/configuration.md for every variable.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import dj_database_url

from config import env
from config.env import BASE_DIR, ConfigError
from gongkai.accounts.passwords import validators_for as password_validators_for

try:
    ENV = env.choice("GONGKAI_ENV", "development", ("development", "test", "production"))
    PRODUCTION = ENV == "production"
    TESTING = ENV == "test"

    VAR_DIR = Path(env.get("GONGKAI_VAR_DIR") or BASE_DIR / "var").resolve()

    DEBUG = env.boolean("GONGKAI_DEBUG", ENV == "development")
    if PRODUCTION and DEBUG:
        raise ConfigError("GONGKAI_DEBUG", "生产环境不得开启调试模式", "must be false in production")

    if PRODUCTION:
        SECRET_KEY = env.require("GONGKAI_SECRET_KEY")
        if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
            raise ConfigError("GONGKAI_SECRET_KEY", "至少 50 个字符且足够随机", "needs at least 50 random characters")
    else:
        SECRET_KEY = env.get("GONGKAI_SECRET_KEY") or env.generated_secret(VAR_DIR / "secret_key")

    ALLOWED_HOSTS = env.csv_list(
        "GONGKAI_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
    if PRODUCTION and not ALLOWED_HOSTS:
        raise ConfigError(
            "GONGKAI_ALLOWED_HOSTS", "未设置，生产环境必须列出站点域名", "not set; list the site's host names"
        )
    CSRF_TRUSTED_ORIGINS = env.csv_list("GONGKAI_CSRF_TRUSTED_ORIGINS", [])

    # --- Database: PostgreSQL in production, SQLite (WAL) embedded by default -------------------------------
    _default_sqlite = VAR_DIR / "gongkai.sqlite3"
    _database_url = env.get("GONGKAI_DATABASE_URL", f"sqlite:///{_default_sqlite}")
    assert _database_url is not None
    try:
        _db: dict[str, Any] = dict(dj_database_url.parse(_database_url, conn_max_age=0))
    except Exception as error:  # dj_database_url raises several types for malformed URLs
        raise ConfigError(
            "GONGKAI_DATABASE_URL",
            f"无法解析（{error}）",
            f"cannot be parsed ({error}); use postgres://… or sqlite:///…",
        ) from None
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        if _db["NAME"] not in ("", ":memory:"):
            Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        _db["OPTIONS"] = {
            # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN so that two writers
            # queue on the busy timeout instead of failing with "database is locked" when upgrading a read lock.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.integer("GONGKAI_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        }
        # Opening a SQLite connection (and running the PRAGMAs) costs more than a portal page's one cached-version
        # query: keep each worker thread's connection (benchmarks/README.md, portal section).
        _db["CONN_MAX_AGE"] = env.integer("GONGKAI_DB_CONN_MAX_AGE", 0 if TESTING else 60)
        _db["CONN_HEALTH_CHECKS"] = True
    elif _db["ENGINE"] == "django.db.backends.postgresql":
        _db["CONN_MAX_AGE"] = env.integer("GONGKAI_DB_CONN_MAX_AGE", 60 if PRODUCTION else 0)
        _db["CONN_HEALTH_CHECKS"] = True
        _db.setdefault("OPTIONS", {})["connect_timeout"] = env.integer("GONGKAI_DB_CONNECT_TIMEOUT", 5, minimum=1)
    else:
        raise ConfigError(
            "GONGKAI_DATABASE_URL", "只支持 PostgreSQL 或 SQLite", "only PostgreSQL or SQLite are supported"
        )
    DATABASES = {"default": _db}
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

    # --- Personal data: encryption keys for ID numbers and phones (see gongkai/core/crypto.py) ----------------
    PII_KEYS = env.get("GONGKAI_PII_KEYS")  # "kid=base64key,oldkid=base64key", the first one encrypts
    PII_INDEX_KEY = env.get("GONGKAI_PII_INDEX_KEY")  # base64 key of the blind index (HMAC-SHA256)
    PII_KEY_FILE = env.get("GONGKAI_PII_KEY_FILE")
    if PRODUCTION and not (PII_KEY_FILE or (PII_KEYS and PII_INDEX_KEY)):
        raise ConfigError(
            "GONGKAI_PII_KEYS",
            "生产环境必须设置 GONGKAI_PII_KEYS 与 GONGKAI_PII_INDEX_KEY，或 GONGKAI_PII_KEY_FILE",
            "production needs GONGKAI_PII_KEYS and GONGKAI_PII_INDEX_KEY, or GONGKAI_PII_KEY_FILE",
        )
    if not PII_KEY_FILE and not PII_KEYS:
        PII_KEY_FILE = str(VAR_DIR / "pii_keys.json")  # generated on first use, development and demo only

    # --- Email (Django's backends) ---------------------------------------------------------------------------
    EMAIL_HOST = env.get("GONGKAI_EMAIL_HOST")
    if EMAIL_HOST:
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_PORT = env.integer("GONGKAI_EMAIL_PORT", 25, minimum=1)
        EMAIL_HOST_USER = env.get("GONGKAI_EMAIL_USER", "") or ""
        EMAIL_HOST_PASSWORD = env.get("GONGKAI_EMAIL_PASSWORD", "") or ""
        EMAIL_USE_TLS = env.boolean("GONGKAI_EMAIL_USE_TLS", False)
        EMAIL_USE_SSL = env.boolean("GONGKAI_EMAIL_USE_SSL", False)
        EMAIL_TIMEOUT = 20
    elif PRODUCTION:
        raise ConfigError(
            "GONGKAI_EMAIL_HOST", "未设置，生产环境必须配置邮件服务器", "not set; production sends real email"
        )
    elif TESTING:
        EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    else:
        # The demo writes each message to var/mail/ so that it can be read without a mail server.
        EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        EMAIL_FILE_PATH = str(VAR_DIR / "mail")
    DEFAULT_FROM_EMAIL = env.get("GONGKAI_EMAIL_FROM", "gongkai@localhost")
    SERVER_EMAIL = DEFAULT_FROM_EMAIL

    # Whether the 信息处理费 payment period stops the reply clock (国办函〔2020〕109号; see gongkai/clock/rules.py).
    GONGKAI_FEE_PAUSES_CLOCK = env.boolean("GONGKAI_FEE_PAUSES_CLOCK", True)
    # Public site address used in mails (tracking links); empty means relative links.
    GONGKAI_SITE_URL = env.get("GONGKAI_SITE_URL", "") or ""
    # Uploads (applications' ID copies, released material): checked by content, capped in size.
    GONGKAI_UPLOAD_MAX_BYTES = env.integer("GONGKAI_UPLOAD_MAX_MB", 20, minimum=1) * 1024 * 1024
    GONGKAI_SMS_SENDER = env.get("GONGKAI_SMS_SENDER", "gongkai.cases.notify.LoggingSmsSender")
    # --- Rate limits, CAPTCHA, upload scanning (gongkai/ratelimit, docs/security.md) ---------------------------------
    # Rates read "N/unit" (30/hour, 10/day, 5/15min) or "off"; malformed ones fail `manage.py check`.
    GONGKAI_API_INTAKE_RATE = env.get("GONGKAI_API_INTAKE_RATE", "30/hour") or "30/hour"
    GONGKAI_API_TRACK_RATE = env.get("GONGKAI_API_TRACK_RATE", "60/hour") or "60/hour"
    GONGKAI_APPLY_RATE = env.get("GONGKAI_APPLY_RATE", "30/hour") or "30/hour"
    GONGKAI_APPLICANT_RATE = env.get("GONGKAI_APPLICANT_RATE", "10/day") or "10/day"
    GONGKAI_TRACK_RATE = env.get("GONGKAI_TRACK_RATE", "60/hour") or "60/hour"
    GONGKAI_TRACK_CODE_RATE = env.get("GONGKAI_TRACK_CODE_RATE", "20/hour") or "20/hour"
    GONGKAI_SUBSCRIBE_RATE = env.get("GONGKAI_SUBSCRIBE_RATE", "10/hour") or "10/hour"
    GONGKAI_ACCOUNT_RATE = env.get("GONGKAI_ACCOUNT_RATE", "30/hour") or "30/hour"
    GONGKAI_COMPLAINT_RATE = env.get("GONGKAI_COMPLAINT_RATE", "10/hour") or "10/hour"
    # The application form asks for a CAPTCHA once a client address has submitted this many times in the
    # GONGKAI_APPLY_RATE window (0: always).
    GONGKAI_APPLY_CAPTCHA_AFTER = env.integer("GONGKAI_APPLY_CAPTCHA_AFTER", 3, minimum=0)
    REDIS_URL = env.get("GONGKAI_REDIS_URL")
    if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(
            "GONGKAI_REDIS_URL",
            "应以 redis://、rediss:// 或 unix:// 开头",
            "must start with redis://, rediss:// or unix://",
        )
    # Uploaded files: local disk (MEDIA_ROOT) by default; "s3" puts them in an S3-compatible bucket (MinIO, OSS, COS,
    # OBS …) so that several application servers share them (docs/deployment.md). Optional extra: pip install '.[s3]'.
    MEDIA_STORAGE = env.choice("GONGKAI_MEDIA_STORAGE", "local", ("local", "s3"))
    S3_OPTIONS: dict[str, Any] = {}
    if MEDIA_STORAGE == "s3":
        for _name in ("GONGKAI_S3_BUCKET", "GONGKAI_S3_ACCESS_KEY_ID", "GONGKAI_S3_SECRET_ACCESS_KEY"):
            if not env.get(_name):
                raise ConfigError(
                    _name, "GONGKAI_MEDIA_STORAGE=s3 时必须设置", "required when GONGKAI_MEDIA_STORAGE=s3"
                )
        if importlib.util.find_spec("storages") is None or importlib.util.find_spec("boto3") is None:
            raise ConfigError(  # the optional extra "s3": django-storages and boto3
                "GONGKAI_MEDIA_STORAGE", "需要安装可选依赖：pip install 'gongkai[s3]'", "needs the extra: gongkai[s3]"
            )
        _endpoint = env.get("GONGKAI_S3_ENDPOINT_URL")
        if _endpoint and not _endpoint.startswith(("https://", "http://")):
            raise ConfigError("GONGKAI_S3_ENDPOINT_URL", "应以 https:// 或 http:// 开头", "must be an http(s) URL")
        S3_OPTIONS = {
            "bucket_name": env.get("GONGKAI_S3_BUCKET"),
            "access_key": env.get("GONGKAI_S3_ACCESS_KEY_ID"),
            "secret_key": env.get("GONGKAI_S3_SECRET_ACCESS_KEY"),
            "endpoint_url": _endpoint,
            "region_name": env.get("GONGKAI_S3_REGION"),
            "location": env.get("GONGKAI_S3_PREFIX", "media"),
            "addressing_style": env.choice("GONGKAI_S3_ADDRESSING_STYLE", "path", ("path", "virtual")),
            "signature_version": "s3v4",
            # Private objects, never overwritten; and should anyone reach an object directly (a signed URL, the
            # bucket console) it still downloads as a file: every object is stored with Content-Disposition
            # attachment, as the views serve it (uploads are never rendered inline in our origin or any other).
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "object_parameters": {"ContentDisposition": "attachment"},
        }
    # ClamAV (clamd) scanning of uploads: a Unix socket or host and port; unset = no scanning.
    GONGKAI_CLAMD_SOCKET = env.get("GONGKAI_CLAMD_SOCKET", "") or ""
    GONGKAI_CLAMD_HOST = env.get("GONGKAI_CLAMD_HOST", "") or ""
    GONGKAI_CLAMD_PORT = env.integer("GONGKAI_CLAMD_PORT", 3310, minimum=1)
    GONGKAI_CLAMD_TIMEOUT = env.integer("GONGKAI_CLAMD_TIMEOUT", 30, minimum=1)
    GONGKAI_CLAMD_FAIL_OPEN = env.boolean("GONGKAI_CLAMD_FAIL_OPEN", False)
    # Years after a case closes before `gongkai privacy purge` anonymises the applicant (a deployment choice, see
    # docs/security.md「个人信息生命周期」; 个人信息保护法第十九条: no longer than the purpose needs).
    GONGKAI_RETENTION_YEARS = env.integer("GONGKAI_RETENTION_YEARS", 10, minimum=1)
    # The 申请接收回执 (DOCX + PDF, one to three seconds of CPU): "inline" issues it in the applicant's request right
    # after the commit (the demo shows receipts without cron); "queue" only enqueues and `gongkai receipts process`
    # (cron) issues it, so intake under load is not held up by the renderer. Either way the job row is written with
    # the application and failed attempts are retried by that command (gongkai/cases/jobs.py).
    GONGKAI_RECEIPTS = env.choice("GONGKAI_RECEIPTS", "queue" if PRODUCTION else "inline", ("inline", "queue"))

    HTTPS = env.boolean("GONGKAI_HTTPS", PRODUCTION)
    BEHIND_PROXY = env.boolean("GONGKAI_BEHIND_PROXY", False)

    # --- Sign-in security (gongkai/accounts: lockout.py, passwords.py, otp.py, middleware.py; docs/security.md) ------
    # Password policy per deployment: 等保 (8+ characters, 3 of 4 classes, changed every 90 days) or OWASP ASVS
    # (12+ characters, breached-password list, no forced rotation).
    GONGKAI_PASSWORD_PROFILE = env.choice("GONGKAI_PASSWORD_PROFILE", "dengbao", ("dengbao", "asvs"))
    GONGKAI_PASSWORD_MAX_AGE_DAYS = env.integer(
        "GONGKAI_PASSWORD_MAX_AGE_DAYS",
        90 if GONGKAI_PASSWORD_PROFILE == "dengbao" else 0,  # noqa: S105 (a profile name, not a password)
        minimum=0,
    )
    # Lockout after consecutive failed sign-ins of one user name, lifted after the cool-off (or by a 安全管理员).
    GONGKAI_LOCKOUT_FAILURES = env.integer("GONGKAI_LOCKOUT_FAILURES", 5, minimum=1)
    GONGKAI_LOCKOUT_COOLOFF_MINUTES = env.integer("GONGKAI_LOCKOUT_COOLOFF_MINUTES", 30, minimum=1)
    # A session ends after this long without a request, and in any case this long after sign-in (0: no limit).
    GONGKAI_SESSION_IDLE_SECONDS = env.integer("GONGKAI_SESSION_IDLE_MINUTES", 30, minimum=0) * 60
    GONGKAI_SESSION_MAX_SECONDS = env.integer("GONGKAI_SESSION_MAX_HOURS", 8, minimum=0) * 3600
except ConfigError as _error:
    env.fail(_error)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "gongkai.core",
    "gongkai.audit",
    "gongkai.agencies",
    "gongkai.accounts",
    "gongkai.clock",
    "gongkai.documents",
    "gongkai.cases",
    "gongkai.publications",
    "gongkai.scanning",
    "gongkai.search",
    "gongkai.channels",
    "gongkai.subscriptions",
    "gongkai.responses",
    "gongkai.reports",
    "gongkai.appeals",
    "gongkai.oversight",
    "gongkai.rectification",
    "gongkai.privacy",
    "gongkai.backup",
    "gongkai.api",
    "gongkai.ratelimit",
    "captcha",
    "rest_framework",
    "drf_spectacular",
    "gongkai.portal",
    "gongkai.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongkai.accounts.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "gongkai.accounts.middleware.SecurityHeadersMiddleware",
    "gongkai.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused sign-in of a locked account into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongkai.core.context_processors.site",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
# The lockout check first (it authenticates no one; gongkai/accounts/lockout.py), then the password check.
AUTHENTICATION_BACKENDS = ["gongkai.accounts.lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "staff:login"
AUTH_PASSWORD_VALIDATORS = password_validators_for(GONGKAI_PASSWORD_PROFILE)
if TESTING:
    # Hashing cost is not under test; keeps the suite fast.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even when serving from the finders
# Uploaded files live outside the web root and are served only through the access gate, as attachments.
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}
        if MEDIA_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Caches: per-process memory unless GONGKAI_REDIS_URL is set; then Redis holds the portal's page cache and the rate-limit
# counters, shared by every worker. Without Redis the counters live in the database (gongkai/ratelimit), never in the
# per-process cache, so that a limit is the same whatever the number of workers.
CACHES: dict[str, Any] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "gongkai",
    }
GONGKAI_RATELIMIT_CACHE = "default" if REDIS_URL else ""  # a CACHES alias, or "" for the database counters
if REDIS_URL:
    # Sessions read from Redis, written through to the database: any application server finds the session, and a
    # Redis restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# django-simple-captcha: images drawn locally with Pillow and its bundled font, served by our own /captcha/ views.
CAPTCHA_TIMEOUT = 30  # minutes: long enough to fill the application form after the page was loaded
CAPTCHA_LENGTH = 4
CAPTCHA_FONT_SIZE = 36  # larger and less rotated than the package's defaults: easier to read, still not OCR-trivial
CAPTCHA_LETTER_ROTATION = (-20, 20)
CAPTCHA_2X_IMAGE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# The cookie lives as long as the absolute session limit (0 = none: then Django's two weeks); the middleware ends a
# session earlier when it has been idle (gongkai/accounts/middleware.py).
SESSION_COOKIE_AGE = GONGKAI_SESSION_MAX_SECONDS or 14 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): everything from this origin only, no inline script or style anywhere (the
# templates keep their CSS and JS in static files), no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features the platform never uses (gongkai/accounts/middleware.SecurityHeadersMiddleware).
GONGKAI_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# django-axes (gongkai/accounts/lockout.py): consecutive failures per user name; the cool-off lifts the lock.
AXES_FAILURE_LIMIT = GONGKAI_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=GONGKAI_LOCKOUT_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the client address among the lockout parameters. Deliberately not: an agency's staff share one
# outgoing address, so locking an address would let one person's typos (or one guesser) lock a whole office out.
# Counting per user name cannot be dodged by changing address, user agent or cookies; spraying many names from one
# address is the rate limiter's job (docs/security.md「速率限制与验证码」).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked are refused without being counted: the lock ends the cool-off after the failure that set it,
# as the lockout page says, however often the person (or a guesser) retries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "gongkai.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "gongkai.accounts.lockout.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log already
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the 安全管理员's list of failures
AXES_SENSITIVE_PARAMETERS = ["password", "token"]
# Axes' own texts (JSON answers to XMLHttpRequest sign-ins); the pages use gongkai.accounts.lockout.lockout_message.
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已被暂时锁定，请稍后再试或联系安全管理员解锁。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已被锁定，请联系安全管理员解锁。"
AXES_VERBOSE = False
# django-otp: the issuer shown in authenticator apps; failed codes slow down exponentially.
OTP_TOTP_ISSUER = "政府信息公开平台"
OTP_TOTP_THROTTLE_FACTOR = 1
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"gongkai": {"level": "INFO"}},
}

GONGKAI_SITE_NAME = "政府信息公开平台"

# JSON API (gongkai/api): staff authenticate with "Authorization: Token <key>" (`gongkai token create`); the public
# intake and tracking endpoints are anonymous and throttled per client address, in the shared rate-limit store of
# gongkai/ratelimit (database or Redis, never a per-process cache). No browsable API and no Swagger/Redoc pages: agency
# intranets are offline, the schema is served as a file.
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["gongkai.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["gongkai.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gongkai.api.errors.exception_handler",
    # DRF's own client address (gongkai's throttles use gongkai.ratelimit.http.client_ip, the same rule): REMOTE_ADDR,
    # or the proxy's last X-Forwarded-For hop — never a header the client chose, which would let it pick a fresh
    # address per request.
    "NUM_PROXIES": 1 if BEHIND_PROXY else 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Gongkai API",
    "DESCRIPTION": (
        "政府信息公开平台接口。公众接口（在线提交政府信息公开申请、凭查询码和手机号后四位查询办理进度）无需登录，"
        "按访问地址限制频率；工作人员接口（案件列表、详情和办理操作）使用接口令牌认证，"
        "请求头为“Authorization: Token <令牌>”，令牌由系统管理员以 `gongkai token create` 创建。"
        '输入有误时返回 400 和 {"errors": {字段: [中文说明]}}；操作与案件当前状态不符时返回 409。'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "gongkai.cases.states.Status",
        "DocumentStatusEnum": "gongkai.cases.models.DocumentStatus",
        "DocumentKindEnum": "gongkai.cases.models.DocumentKind",
        "ConsulteeKindEnum": "gongkai.cases.models.ConsulteeKind",
        "OutcomeEnum": "gongkai.cases.codebook.Outcome",
        "OutcomeVariantEnum": "gongkai.cases.codebook.OutcomeVariant",
    },
}

# --- Channels and subscriptions (issue 6: gongkai/channels, gongkai/subscriptions) ---------------------------
try:
    # 政务新媒体/公众号 (WeChat Official Account): without an appid and secret the 公众号 copies wait, with a note.
    GONGKAI_WECHAT_APPID = env.get("GONGKAI_WECHAT_APPID", "") or ""
    GONGKAI_WECHAT_SECRET = env.get("GONGKAI_WECHAT_SECRET", "") or ""
    GONGKAI_WECHAT_API_BASE = env.get("GONGKAI_WECHAT_API_BASE", "https://api.weixin.qq.com/cgi-bin/") or ""
    if not GONGKAI_WECHAT_API_BASE.startswith(("https://", "http://")):
        raise ConfigError(
            "GONGKAI_WECHAT_API_BASE",
            "应以 https:// 或 http:// 开头",
            "must be an http(s) URL, e.g. https://api.weixin.qq.com/cgi-bin/",
        )
    if bool(GONGKAI_WECHAT_APPID) != bool(GONGKAI_WECHAT_SECRET):
        raise ConfigError(
            "GONGKAI_WECHAT_SECRET" if GONGKAI_WECHAT_APPID else "GONGKAI_WECHAT_APPID",
            "GONGKAI_WECHAT_APPID 与 GONGKAI_WECHAT_SECRET 须同时设置",
            "set GONGKAI_WECHAT_APPID and GONGKAI_WECHAT_SECRET together",
        )
    # The permanent cover image (thumb) of the 公众号 drafts: WeChat requires one for an article draft.
    GONGKAI_WECHAT_THUMB_MEDIA_ID = env.get("GONGKAI_WECHAT_THUMB_MEDIA_ID", "") or ""
    # Subscriptions: sign-ups per e-mail address per day (the confirmation mails an address can be sent).
    GONGKAI_SUBSCRIBE_PER_EMAIL_DAY = env.integer("GONGKAI_SUBSCRIBE_PER_EMAIL_DAY", 5, minimum=1)
except ConfigError as _error:
    env.fail(_error)
