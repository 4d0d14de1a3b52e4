#!/usr/bin/env bash
# Regenerates the message-push (safe mode) vectors in this folder with OpenSSL, xxd, sha1sum and jq (not with the code
# under test). Run from this folder: bash generate-push.sh. Keys, prefixes and nonces are random: every run writes new files.
set -euo pipefail
# push_vector <name> <appid> <message>
push_vector() {
  name=$1 appid=$2 message=$3
  # An EncodingAESKey is 43 base64 characters: the base64 of 32 random bytes without its trailing "=".
  key_hex=$(openssl rand -hex 32)
  aes_key=$(printf '%s' "$key_hex" | xxd -r -p | base64 -w0 | tr -d '=')
  iv_hex=${key_hex:0:32}
  tmp=$(mktemp)
  # plaintext = 16 random bytes | message length (4 bytes, big-endian) | message | app id
  openssl rand 16 > "$tmp"
  len=$(printf '%s' "$message" | wc -c)
  printf '%08x' "$len" | xxd -r -p >> "$tmp"
  printf '%s' "$message" >> "$tmp"
  printf '%s' "$appid" >> "$tmp"
  # PKCS#7 to a multiple of 32 bytes, by hand: pad = 32 - size % 32 (1..32) bytes of value pad.
  size=$(wc -c < "$tmp")
  pad=$((32 - size % 32))
  for _ in $(seq "$pad"); do printf "\\x$(printf '%02x' "$pad")" >> "$tmp"; done
  plain_hex=$(xxd -p "$tmp" | tr -d '\n')
  encrypt=$(openssl enc -aes-256-cbc -nopad -K "$key_hex" -iv "$iv_hex" -in "$tmp" | base64 -w0)
  rm -f "$tmp"
  token=$(openssl rand -hex 8)
  timestamp=$(date +%s)
  nonce=$(openssl rand -hex 5)
  # msg_signature = sha1 of token, timestamp, nonce and Encrypt sorted (LC_ALL=C: byte order) and joined
  msg_signature=$(printf '%s\n' "$token" "$timestamp" "$nonce" "$encrypt" | LC_ALL=C sort | tr -d '\n' | sha1sum | cut -d' ' -f1)
  # signature (URL check) = sha1 of token, timestamp and nonce sorted and joined
  signature=$(printf '%s\n' "$token" "$timestamp" "$nonce" | LC_ALL=C sort | tr -d '\n' | sha1sum | cut -d' ' -f1)
  jq -n --arg appId "$appid" --arg encodingAesKey "$aes_key" --arg keyHex "$key_hex" --arg ivHex "$iv_hex" \
        --arg plaintextHex "$plain_hex" --arg encrypt "$encrypt" --arg message "$message" \
        --arg token "$token" --arg timestamp "$timestamp" --arg nonce "$nonce" \
        --arg msgSignature "$msg_signature" --arg signature "$signature" \
        '{appId:$appId, encodingAesKey:$encodingAesKey, keyHex:$keyHex, ivHex:$ivHex, plaintextHex:$plaintextHex,
          encrypt:$encrypt, message:$message, token:$token, timestamp:$timestamp, nonce:$nonce,
          msgSignature:$msgSignature, signature:$signature}' > "$name.json"
}
push_vector push-revoke wx4f4bc4dec97d474b '{"ToUserName":"gh_97417a04a28d","FromUserName":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","CreateTime":1712345678,"MsgType":"event","Event":"user_authorization_revoke","OpenID":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","AppID":"wx4f4bc4dec97d474b","RevokeInfo":"6,20"}'
push_vector push-media-check wx4f4bc4dec97d474b '{"ToUserName":"gh_97417a04a28d","FromUserName":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","CreateTime":1712345679,"MsgType":"event","Event":"wxa_media_check","appid":"wx4f4bc4dec97d474b","trace_id":"60ae120f-371d5872-7941a05b","version":2,"detail":[{"strategy":"content_model","errcode":0,"suggest":"risky","label":20002,"prob":90}],"errcode":0,"errmsg":"ok","result":{"suggest":"risky","label":20002}}'
# 20 + 14 + 10 = 44 bytes of content: pad 20 (0x14).
push_vector push-short wx12345678 '{"a":"微信"}'
# 20 + 26 + 18 = 64 bytes of content, a multiple of 32: a whole block of padding (32 x 0x20).
push_vector push-full-block wx4f4bc4dec97d474b '{"MsgType":"event","E":""}'
