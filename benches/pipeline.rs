//! Criterion benchmarks of the stages a large log goes through (extract, count, decode) and
//! of what a look-up pays at start-up (loading the tables). `cargo bench`; the whole-program
//! comparison with ripgrep on a generated 1 GiB log is `scripts/bench-log`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use smtpcode::internals::{decode, extract, Catalog, Origin, Summary};
use smtpcode::{Basic, Enhanced, Lang};
use std::hint::black_box;

/// About 1 MiB of mixed Postfix, Exim and Sendmail lines, about half without a status.
fn sample_log() -> Vec<u8> {
    let lines: [&str; 8] = [
        "Nov  1 00:00:00 mx1 postfix/smtpd[25360]: connect from in26.example.org[137.111.143.105]",
        "Nov  1 00:00:00 mx2 postfix/qmgr[45040]: 129397F11A38: from=<kijitora6515@example.co.uk>, size=1172147, nrcpt=1 (queue active)",
        "Nov  1 00:00:00 mx1 postfix/smtp[56559]: 3532794EF9: to=<info7955@example.net>, relay=mta16.example.co.uk[208.101.23.145]:25, delay=1.5, delays=0.42/0.04/0.52/0.53, dsn=2.0.0, status=sent (250 2.0.0 OK 1656760104 D96690B6F5A7 - gsmtp)",
        "Nov  1 00:00:00 mx2 postfix/smtp[47247]: ECEA7FD349A: to=<mikeneko-1232@mailer.example>, relay=in10.example.com[184.174.107.221]:25, delay=1.8, delays=0.33/0.08/0.44/0.9, dsn=5.1.1, status=bounced (host in10.example.com[184.174.107.221] said: 550 5.1.1 <mikeneko-1232@mailer.example>: Recipient address rejected: User unknown (in reply to RCPT TO command))",
        "2024-11-01 00:00:00 qLOlcQ-4PJKSY-yr Completed",
        "2024-11-01 00:00:00 gKkOt5-oWQSOa-eM == newsletter2851@example.org R=dnslookup T=remote_smtp defer (-44) H=aspmx23.yahoo.example [2.129.149.23]: SMTP error from remote mail server after RCPT TO:<newsletter2851@example.org>: 421 4.7.0 Try again later, closing connection. (EHLO) gsmtp",
        "Nov  1 00:00:00 smtp-out3 sm-mta[35642]: STARTTLS=client, relay=in10.example.com., version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
        "Nov  1 00:00:00 mx2 sm-mta[20767]: 5GDfroHF708288: to=<bob.4414@example.net>, delay=00:04:00, xdelay=00:00:30, mailer=esmtp, pri=178964, relay=mx20.example.net. [217.155.51.239], dsn=4.4.1, stat=Deferred: connect to mx.example.net[192.0.2.7]:25: Connection timed out",
    ];
    let mut log = Vec::new();
    let mut i = 0usize;
    while log.len() < 1 << 20 {
        log.extend_from_slice(lines[i % lines.len()].as_bytes());
        log.push(b'\n');
        i = i.wrapping_mul(5).wrapping_add(3) % 1009;
    }
    log
}

fn extraction(c: &mut Criterion) {
    let log = sample_log();
    let mut group = c.benchmark_group("log");
    group.throughput(Throughput::Bytes(log.len() as u64));
    group.bench_function("extract", |b| b.iter(|| extract(black_box(&log))));
    group.bench_function("summary", |b| b.iter(|| Summary::of_log(black_box(&log))));
    group.finish();
}

fn decoding(c: &mut Criterion) {
    let cat = Catalog::load(Lang::En);
    let (basic, enhanced) = (Basic::parse("550"), Enhanced::parse("5.1.1"));
    c.bench_function("decode 550 5.1.1", |b| {
        b.iter_batched(
            Origin::default,
            |origin| decode(&cat, black_box(basic), black_box(enhanced), origin),
            BatchSize::SmallInput,
        )
    });
    // The look-up of `smtpcode 5.1.1`: tables built into the binary, texts in Italian.
    let it = Catalog::load(Lang::It);
    c.bench_function("look up X.1.1 (it)", |b| {
        b.iter(|| it.texts(black_box("X.1.1")).map(|t| t.title.len()))
    });
}

criterion_group!(benches, extraction, decoding);
criterion_main!(benches);
