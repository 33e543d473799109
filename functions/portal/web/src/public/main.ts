// The public publicity pages (issue 17): their own small entry, no sign-in, no Element
// Plus, so a phone on a slow connection loads them quickly (like /verify).
import { createApp } from 'vue';
import '../verify/verify.css';
import PublicApp from './PublicApp.vue';

createApp(PublicApp).mount('#app');
