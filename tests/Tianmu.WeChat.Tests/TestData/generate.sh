#!/usr/bin/env bash
# Regenerates the vectors in this folder with OpenSSL, xxd, sha1sum and jq (not with the code under test).
# Run from this folder: bash generate.sh. Keys and ivs are random, so every run gives new files.
set -euo pipefail
# vector <name> <appid> <plaintext>
vector() {
  name=$1 appid=$2 plain=$3
  key_hex=$(openssl rand -hex 16)
  iv_hex=$(openssl rand -hex 16)
  key_b64=$(printf '%s' "$key_hex" | xxd -r -p | base64 -w0)
  iv_b64=$(printf '%s' "$iv_hex" | xxd -r -p | base64 -w0)
  data=$(printf '%s' "$plain" | openssl enc -aes-128-cbc -K "$key_hex" -iv "$iv_hex" -base64 -A)
  jq -n --arg keyHex "$key_hex" --arg ivHex "$iv_hex" --arg sessionKey "$key_b64" --arg iv "$iv_b64" \
        --arg appId "$appid" --arg encryptedData "$data" --arg plaintext "$plain" \
        '{appId:$appId, keyHex:$keyHex, ivHex:$ivHex, sessionKey:$sessionKey, iv:$iv, encryptedData:$encryptedData, plaintext:$plaintext}' > "$name.json"
}
vector userinfo wx4f4bc4dec97d474b '{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"小明同学","gender":1,"language":"zh_CN","city":"广州","province":"广东","country":"中国","avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1712345678,"appid":"wx4f4bc4dec97d474b"}}'
vector userinfo-anonymous wx4f4bc4dec97d474b '{"nickName":"微信用户","gender":0,"language":"","city":"","province":"","country":"","avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132","watermark":{"timestamp":1712345679,"appid":"wx4f4bc4dec97d474b"}}'
vector phone wx4f4bc4dec97d474b '{"phoneNumber":"+86 13800138000","purePhoneNumber":"13800138000","countryCode":"86","watermark":{"timestamp":1712345680,"appid":"wx4f4bc4dec97d474b"}}'
vector share wx4f4bc4dec97d474b '{"openGId":"tG-1W4-j9dA8Kzx0TlV5h3B9Yx1c","watermark":{"timestamp":1712345681,"appid":"wx4f4bc4dec97d474b"}}'
# signature: sha1 over rawData followed by the session key's base64 text
raw='{"nickName":"小明同学","gender":1,"language":"zh_CN","city":"广州","province":"广东","country":"中国","avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132"}'
sk=$(jq -r .sessionKey userinfo.json)
sig=$(printf '%s' "$raw$sk" | sha1sum | cut -d' ' -f1)
jq -n --arg rawData "$raw" --arg sessionKey "$sk" --arg signature "$sig" '{rawData:$rawData, sessionKey:$sessionKey, signature:$signature}' > signature.json
