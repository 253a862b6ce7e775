"""A real MariaDB and a real WordPress in a temp dir, for the WooCommerce plugin's tests.

MariaDB runs from its own datadir on a private socket (and 127.0.0.1). WordPress is a copy of a core tree (Debian's
/usr/share/wordpress by default, whose own wp-config.php reads /etc/wordpress) with our wp-config.php and a
wp-content holding symlinks to the plugin and, when given, to a WooCommerce release.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from loadtests import procfs
from tests.conftest import REPO, free_port
from tests.requires import missing

PLUGIN = REPO / "plugins" / "woocommerce"
DEBIAN_WORDPRESS = Path("/usr/share/wordpress")


def need(program: str, package: str) -> str:
    found = shutil.which(program) or next((p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}")
                                           if os.access(p, os.X_OK)), None)
    if found is None:
        missing(program, f"apt-get install {package}")
    return found


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop the process group ``proc`` leads (started with ``start_new_session``) and return once
    none of it runs: SIGTERM to all of it, then SIGKILL to what is left after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc.poll()  # reap the leader, so it does not linger as a zombie
            if not procfs.group_running(proc.pid):
                proc.wait()
                return
            time.sleep(0.05)
    proc.wait()


class MariaDB:
    """mariadbd on a fresh datadir; root without a password, reachable on its socket only by this user."""

    def __init__(self, root: Path) -> None:
        install = need("mariadb-install-db", "mariadb-server")
        server = need("mariadbd", "mariadb-server")
        self.client = need("mariadb", "mariadb-client")
        self.root = root
        self.datadir = root / "data"
        self.socket = root / "mysqld.sock"
        self.port = free_port()
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run([install, "--no-defaults", f"--datadir={self.datadir}", "--skip-test-db",
                        "--auth-root-authentication-method=normal", *user],
                       check=True, capture_output=True, timeout=300)
        self.log = root / "mariadb.log"
        self.proc = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--pid-file={root / 'mysqld.pid'}", f"--log-error={self.log}",
             "--innodb-buffer-pool-size=64M", "--skip-log-bin", *user],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while self.sql("SELECT 1", check=False).returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"MariaDB did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)

    def sql(self, statement: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.client, "--no-defaults", f"--socket={self.socket}", "-uroot", "-e", statement],
                              check=check, capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


CONFIG = """<?php
// Written by tests/woocommerce_plugin/wordpress.py for one test site.
define('DB_NAME', {db!r});
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', {host!r});
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}
$table_prefix = 'wp_';
define('WP_HOME', {url!r});
define('WP_SITEURL', {url!r});
define('WP_DEBUG', true);
define('WP_DEBUG_DISPLAY', false);
define('WP_DEBUG_LOG', {debug_log!r});
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('FS_METHOD', 'direct');
define('WP_ENVIRONMENT_TYPE', 'local');
if (!defined('ABSPATH')) {{
    define('ABSPATH', __DIR__ . '/');
}}
require_once ABSPATH . 'wp-settings.php';
"""

SALTS = ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
         "LOGGED_IN_SALT", "NONCE_SALT")


class Site:
    """One WordPress install: a core copy, a database, the plugin linked in; `php()` runs code inside it."""

    def __init__(self, root: Path, db: MariaDB, core: Path = DEBIAN_WORDPRESS, woocommerce: Path | None = None,
                 port: int | None = None) -> None:
        self.php_bin = need("php", "php-cli")
        if not (core / "wp-settings.php").is_file():
            missing(f"WordPress at {core}", "apt-get install wordpress")
        self.dir = root / "wordpress"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.debug_log = root / "debug.log"
        shutil.copytree(core, self.dir, symlinks=True, ignore=shutil.ignore_patterns("wp-config.php", "wp-content"))
        content = self.dir / "wp-content"
        (content / "plugins").mkdir(parents=True)
        (content / "uploads").mkdir()
        # No mail server here: WooCommerce's order e-mails are dropped instead of calling sendmail.
        (content / "mu-plugins").mkdir()
        (content / "mu-plugins" / "skylt-test-no-mail.php").write_text(
            "<?php\nadd_filter('pre_wp_mail', '__return_true');\n")
        shutil.copytree(core / "wp-content" / "themes", content / "themes", symlinks=True)
        (content / "plugins" / "skylt").symlink_to(PLUGIN / "skylt")
        if woocommerce is not None:
            (content / "plugins" / "woocommerce").symlink_to(woocommerce)
        self.db_name = f"wp_{self.port}"
        db.sql(f"CREATE DATABASE {self.db_name} CHARACTER SET utf8mb4")
        keys = "\n".join(f"define('{k}', 'skylt-test-{k.lower()}');" for k in SALTS)
        (self.dir / "wp-config.php").write_text(CONFIG.format(
            db=self.db_name, host=f"localhost:{db.socket}", keys=keys, url=self.url,
            debug_log=str(self.debug_log)))
        self.php("""
            define('WP_INSTALLING', true);
            require getenv('SKYLT_WP_DIR') . '/wp-load.php';
            require_once ABSPATH . 'wp-admin/includes/upgrade.php';
            wp_install('Skylt test shop', 'admin', 'admin@example.com', true, '', 'admin-password');
            update_option('permalink_structure', '');
        """, load=False)

    def env(self) -> dict[str, str]:
        return {**os.environ, "SKYLT_WP_DIR": str(self.dir)}

    def php(self, code: str, load: bool = True, timeout: float = 300) -> str:
        """Runs PHP code with WordPress loaded (unless ``load`` is false); returns stdout, raises with the output."""
        head = "require getenv('SKYLT_WP_DIR') . '/wp-load.php';\n" if load else ""
        script = self.dir.parent / f"run-{time.monotonic_ns()}.php"
        script.write_text("<?php\n" + head + textwrap.dedent(code))
        try:
            done = subprocess.run([self.php_bin, str(script)], capture_output=True, text=True, env=self.env(),
                                  timeout=timeout, cwd=self.dir)
        finally:
            script.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"PHP failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def log_in(self, page: Any, login: str) -> None:
        """``login`` logged in on the shop's front end for ``page``'s browser: the logged-in cookie WordPress's
        login form sets, made by WordPress itself. The form is not what the front-end tests are about, and within a
        busy full run its redirect at times never came within a minute. The admin tests keep the form: with cookies
        alone WooCommerce 10.0.2's block editor stopped on a fatal error (its autoloader asked for
        src/Caching/WPCacheEngine.php; the file is WpCacheEngine.php)."""
        made = json.loads(self.php(f"""
            $user = get_user_by('login', {login!r});
            echo json_encode([LOGGED_IN_COOKIE, wp_generate_auth_cookie($user->ID, time() + 3600, 'logged_in')]);
        """))
        page.context.add_cookies([{"name": made[0], "value": made[1], "url": self.url}])

    def activate(self, *plugins: str) -> None:
        for plugin in plugins:
            self.php(f"""
                require_once ABSPATH . 'wp-admin/includes/plugin.php';
                wp_set_current_user(1);
                $result = activate_plugin({plugin!r});
                if (is_wp_error($result)) {{ fwrite(STDERR, $result->get_error_message()); exit(1); }}
            """)

    def plugin_notices(self) -> list[str]:
        """PHP notices, warnings and deprecations WordPress logged from the plugin's own files."""
        lines = self.debug_log.read_text(errors="replace").splitlines() if self.debug_log.exists() else []
        return [line for line in lines if "/skylt/" in line and "PHP " in line]

    @contextmanager
    def serving(self, log: Path) -> Iterator[subprocess.Popen[bytes]]:
        """The front end and admin through PHP's built-in server while the block runs, once it answers.
        With PHP_CLI_SERVER_WORKERS the server forks workers that outlive a killed parent, so it runs
        in a session of its own and the whole process group is stopped afterwards."""
        with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen([self.php_bin, "-S", f"127.0.0.1:{self.port}", "-t", str(self.dir)],
                                    cwd=self.dir, env={**self.env(), "PHP_CLI_SERVER_WORKERS": "4"},
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(self.url, timeout=5)
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        output = log.read_text(errors="replace")[-2000:]
                        raise RuntimeError(f"php -S did not answer: {output}") from None
                    time.sleep(0.2)
            yield proc
        finally:
            stop_group(proc)
