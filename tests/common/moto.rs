//! A moto server (`python3 -m moto.server`) on a free 127.0.0.1 port for live AWS tests, killed
//! on drop, plus the environment that keeps the SDK away from real AWS and the metadata address.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub url: String,
    /// Empty AWS config and credentials files, so nothing from the machine leaks in.
    pub home: tempfile::TempDir,
}

impl Moto {
    /// Start moto with AWS-managed policies loaded; wait (bounded) until it accepts connections.
    pub fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server (pip install 'moto[server]' boto3)");
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("config"), "").unwrap();
        std::fs::write(home.path().join("credentials"), "").unwrap();
        let mut moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            home,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return moto;
            }
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto exited before listening ({status}); is `moto[server]` installed?");
            }
            assert!(Instant::now() < deadline, "moto did not listen within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Run the committed boto3 script against this server; returns its JSON output.
    pub fn populate(&self, script: &Path) -> serde_json::Value {
        self.populate_with(script, &[])
    }

    pub fn populate_with(&self, script: &Path, args: &[&str]) -> serde_json::Value {
        let out = Command::new("python3")
            .arg(script)
            .arg(&self.url)
            .args(args)
            .envs(self.env())
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "populating moto failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("populate script prints JSON")
    }

    /// From now on, moto checks every request against the caller's IAM policies
    /// (`POST /moto-api/reset-auth` with the number of requests still allowed unchecked: 0).
    pub fn enforce_auth(&self) {
        use std::io::{Read, Write};
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("moto reachable");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "POST /moto-api/reset-auth HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/plain\r\n\
             Content-Length: 1\r\nConnection: close\r\n\r\n0"
        )
        .unwrap();
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        assert!(reply.starts_with("HTTP/1.1 200"), "reset-auth: {reply}");
    }

    /// Test credentials and empty config files; never the metadata service.
    pub fn env(&self) -> Vec<(String, String)> {
        aws_test_env(self.home.path())
    }
}

pub fn aws_test_env(home: &Path) -> Vec<(String, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        (
            "AWS_CONFIG_FILE".into(),
            home.join("config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            home.join("credentials").display().to_string(),
        ),
    ]
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
