//! Resuming a download from a real Strapi: its uploads carry the validators and answer the
//! ranges that a safe resume needs. A proxy cuts the first connection part-way.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use super::*;

/// Forwards to `target`; the first connection is cut after `cut` bytes of the answer.
/// Records the head of each request it forwards.
struct CuttingProxy {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl CuttingProxy {
    fn start(target: &str, cut: usize) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (target, seen) = (target.to_owned(), requests.clone());
        std::thread::spawn(move || {
            for (i, client) in listener.incoming().enumerate() {
                let (Ok(client), Ok(server)) = (client, TcpStream::connect(&target)) else {
                    continue;
                };
                let limit = if i == 0 { cut } else { usize::MAX };
                let (c2, s2, seen) = (
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    seen.clone(),
                );
                std::thread::spawn(move || forward(c2, s2, usize::MAX, Some(seen)));
                std::thread::spawn(move || forward(server, client, limit, None));
            }
        });
        CuttingProxy { url, requests }
    }
}

fn forward(
    mut from: TcpStream,
    mut to: TcpStream,
    limit: usize,
    seen: Option<Arc<Mutex<Vec<String>>>>,
) {
    let mut buf = [0u8; 16 * 1024];
    let mut sent = 0;
    while sent < limit {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n.min(limit - sent),
        };
        if let Some(seen) = &seen {
            seen.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        sent += n;
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

#[maybe]
#[the_test]
async fn a_cut_download_resumes_with_if_range_byte_identical() {
    let c = client();
    let dir = TempDir::new("live-resume");
    let data: Vec<u8> = (0..900_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let src = dir.write("resume.bin", &data);
    let up = c.upload_file(&src, &UploadOptions::new()).await.unwrap();

    let target_host = server().url.trim_start_matches("http://").to_owned();
    let proxy = CuttingProxy::start(&target_host, 300_000);
    let via = Client::new(config(&proxy.url, Some(&server().full_token))).unwrap();
    let target = dir.path().join("back.bin");
    let n = via.download_file_to(&up.url, &target).await.unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);

    let heads = proxy
        .requests
        .lock()
        .unwrap()
        .join("\n")
        .to_ascii_lowercase();
    assert!(
        heads.contains("\nrange: bytes="),
        "resumed with a range: {heads}"
    );
    assert!(
        heads.contains("\nif-range: "),
        "guarded by If-Range: {heads}"
    );
    c.delete_media(up.id).await.unwrap();
}
