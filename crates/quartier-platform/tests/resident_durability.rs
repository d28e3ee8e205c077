//! An acknowledged consent change survives `kill -9` of the platform: the built binary is
//! started on a data directory, a resident signs in over real HTTP and changes a consent, the
//! process is killed with SIGKILL (no shutdown hook runs), restarted on the same directory, and
//! the change is there.

mod resident {
    use std::{
        io::{BufRead, BufReader, Read, Write},
        net::TcpStream,
        path::Path,
        process::{Child, Command, Stdio},
        time::Duration,
    };

    use serde_json::Value;

    struct Platform {
        child: Child,
        address: String,
    }

    impl Drop for Platform {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start(data: &Path) -> Platform {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quartier-platform"))
            .args(["--demo", "--port", "0", "--data"])
            .arg(data)
            .args(["--dist"])
            .arg(data.join("no-dist"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the platform");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("listening line");
        let address = line
            .trim()
            .rsplit("http://")
            .next()
            .expect("address")
            .to_owned();
        assert!(address.contains(':'), "unexpected line {line:?}");
        Platform { child, address }
    }

    /// One HTTP/1.1 exchange with `Connection: close`; returns (status, headers, body).
    fn http(address: &str, request: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("write");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
        let status = head
            .split(' ')
            .nth(1)
            .expect("status")
            .parse()
            .expect("code");
        (status, head.to_owned(), body.to_owned())
    }

    fn request(method: &str, path: &str, extra: &str, body: &str) -> String {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}",
            body.len()
        )
    }

    fn sign_in(address: &str) -> (String, String) {
        let (status, head, body) = http(
            address,
            &request(
                "POST",
                "/api/v1/session",
                "",
                r#"{"email":"lucas.bernard@example.org","password":"quartier-demo"}"#,
            ),
        );
        assert_eq!(status, 200, "{head}\n{body}");
        let cookie = head
            .lines()
            .find_map(|l| l.strip_prefix("set-cookie: "))
            .expect("set-cookie")
            .split(';')
            .next()
            .expect("pair")
            .to_owned();
        let session: Value = serde_json::from_str(&body).expect("json");
        (
            cookie,
            session["csrfToken"].as_str().expect("csrf").to_owned(),
        )
    }

    fn energy_state(address: &str, cookie: &str) -> (String, usize) {
        let (status, _, body) = http(
            address,
            &request(
                "GET",
                "/api/v1/me/consents",
                &format!("Cookie: {cookie}\r\n"),
                "",
            ),
        );
        assert_eq!(status, 200, "{body}");
        let consents: Value = serde_json::from_str(&body).expect("json");
        let record = consents["records"]
            .as_array()
            .expect("records")
            .iter()
            .find(|r| r["processing"]["purposeId"] == "energy-saving-programme");
        match record {
            Some(record) => (
                record["state"].as_str().expect("state").to_owned(),
                record["events"].as_array().expect("events").len(),
            ),
            None => ("none".to_owned(), 0),
        }
    }

    #[test]
    fn an_acknowledged_consent_change_survives_kill_9() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut platform = start(&data);
        let (cookie, csrf) = sign_in(&platform.address);
        assert_eq!(
            energy_state(&platform.address, &cookie),
            ("none".to_owned(), 0)
        );
        let (status, _, body) = http(
            &platform.address,
            &request(
                "PUT",
                "/api/v1/me/consents/energy-saving-programme",
                &format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\n"),
                r#"{"granted":true}"#,
            ),
        );
        assert_eq!(status, 200, "{body}");
        // SIGKILL: no graceful shutdown, no checkpoint, nothing flushed after the answer.
        platform.child.kill().expect("kill -9");
        platform.child.wait().expect("reaped");

        let platform = start(&data);
        // The session survived too (it is in the same database).
        assert_eq!(
            energy_state(&platform.address, &cookie),
            ("given".to_owned(), 1)
        );
    }
}
